package pdf

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
)

// FileName returns the relative path of a statement's PDF:
// PERIOD/BaseName. Both parts are sanitised: only letters, digits, '.', '-'
// and '_' survive, so no tag value or crafted id can name a path outside
// the directory.
func FileName(st *statement.Statement) string {
	return filepath.Join(safeName(st.Period), BaseName(st))
}

// BaseName is the file name a person can find a statement's PDF by:
// period, PI (family name first, else the e-mail's local part), project
// (per-project statements) and the statement id's number, in lower-case
// ASCII: "2025-01_lovelace-ada_27321688.pdf". The id's number keeps it
// unique and stable; the NDJSON keeps the full statement_id beside it.
func BaseName(st *statement.Statement) string {
	parts := []string{safeName(st.Period)}
	who := personSlug(st.PI.Name)
	if who == "" {
		local, _, _ := strings.Cut(st.PI.Email, "@")
		who = slug(local)
	}
	if who != "" {
		parts = append(parts, who)
	}
	if p := slug(st.ProjectID); p != "" {
		parts = append(parts, p)
	}
	num := st.StatementID
	if i := strings.LastIndexByte(num, '-'); i >= 0 && strings.HasPrefix(num, st.Period+"-") {
		num = num[i+1:]
	}
	if num = slug(num); num == "" {
		num = "_"
	}
	parts = append(parts, num)
	return strings.Join(parts, "_") + ".pdf"
}

// personSlug turns "Ada Lovelace" or "Lovelace, Ada" into "lovelace-ada".
func personSlug(name string) string {
	name = strings.TrimSpace(name)
	if family, given, ok := strings.Cut(name, ","); ok {
		return slug(family + " " + given)
	}
	f := strings.Fields(name)
	if len(f) > 1 {
		f = append([]string{f[len(f)-1]}, f[:len(f)-1]...)
	}
	return slug(strings.Join(f, " "))
}

// slug is s in lower-case ASCII letters and digits joined by '-', accents
// dropped ("Émilie du Châtelet" → "emilie-du-chatelet"), at most 40 bytes.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
			dash = false
		case unicode.Is(unicode.Mn, r):
			// combining accent: dropped
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	out := strings.TrimLeft(string(b), ".")
	if out == "" {
		out = "_"
	}
	return out
}

// Stats reports a WriteFiles run.
type Stats struct {
	Files int
	Bytes int64
}

// WriteFiles renders every statement into dir/FileName(st) with a pool of
// workers (0 = GOMAXPROCS: one per CPU the process may use, so a container's
// CPU limit is respected) and sets each statement's PDF (the path) and
// PDFSHA256. Files are written to a temporary name and renamed, so a reader
// never sees half a PDF. hist is keyed by lower-cased PI e-mail.
//
// written, when not nil, counts the files written as they are (a progress
// display reads it).
func (r *Renderer) WriteFiles(sts []statement.Statement, hist map[string][]ledger.MonthTotal, dir string, workers int, written *atomic.Int64) (Stats, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// The folders first, once each (one per period), not a MkdirAll per file.
	made := map[string]bool{}
	for i := range sts {
		d := filepath.Dir(filepath.Join(dir, FileName(&sts[i])))
		if !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return Stats{}, err
			}
			made[d] = true
		}
	}
	var (
		wg     sync.WaitGroup
		next   atomic.Int64 // index of the next statement to render
		failed atomic.Bool
		mu     sync.Mutex
		stats  Stats
		first  error
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var my Stats
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(sts) {
					break
				}
				n, err := r.writeOne(&sts[i], hist[strings.ToLower(sts[i].PI.Email)], dir)
				my.Files++
				my.Bytes += n
				if written != nil {
					written.Add(1)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					failed.Store(true)
				}
			}
			mu.Lock()
			stats.Files += my.Files
			stats.Bytes += my.Bytes
			mu.Unlock()
		}()
	}
	wg.Wait()
	return stats, first
}

func (r *Renderer) writeOne(st *statement.Statement, hist []ledger.MonthTotal, dir string) (int64, error) {
	b, err := r.Statement(st, hist)
	if err != nil {
		return 0, fmt.Errorf("render statement %s: %w", st.StatementID, err)
	}
	path := filepath.Join(dir, FileName(st))
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.pdf")
	if err != nil {
		return 0, err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("write %s: %w", path, werr)
	}
	sum := sha256.Sum256(b)
	st.PDF = path
	st.PDFSHA256 = hex.EncodeToString(sum[:])
	return int64(len(b)), nil
}
