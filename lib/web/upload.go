package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strings"
	"unicode"
)

// ImportRequest is one upload: one or more files, each imported as its own
// whole-file import (the ledger keys imports by content hash).
type ImportRequest struct {
	Source  string // "" = each file's base name without extension
	Period  string // "" = from the rows' BillingPeriodStart
	Replace bool   // replace an earlier file of the same source and open period
	// DryRun ("check only") runs each file's import and rolls it back:
	// the report says what would happen, nothing is written.
	DryRun bool
	Files  []UploadedFile
}

// UploadedFile is an uploaded file spooled to disk.
type UploadedFile struct {
	Name string // the client's file name, reduced to a safe base name
	Path string // temporary file, removed when the request ends
	Size int64
}

// FileReport is what happened to one uploaded file.
type FileReport struct {
	Name        string
	Source      string
	Rows        int      // data rows read
	Invalid     int      // rows validation rejected (not loaded)
	Flagged     int      // rows that became review items
	Loaded      int      // rows in the ledger from this import
	ImportID    int64    // 0 = nothing loaded
	Duplicate   bool     // the same bytes were imported before: a no-op
	Refused     string   // the ledger's refusal (closed period, needs --replace...)
	Diagnostics []string // validate and flag diagnostics, FILE:LINE: Column: message [rule]
	Summary     []string // e.g. flag counts
	DryRun      bool     // checked only: nothing was written
}

// ImportFunc runs validate → flag → load on each file, as the CLI pipeline
// does, and reports per file. A refusal by the ledger is reported in the
// FileReport, not as an error; the error is for I/O or internal failures.
type ImportFunc func(ctx context.Context, a Actor, req ImportRequest) ([]FileReport, error)

const (
	maxDiagShown = 200
	maxFieldSize = 4 << 10
)

type importData struct {
	Available bool
	MaxUpload string
	Reports   []FileReport
	Source    string
	Period    string
	NoLedger  bool // the first import creates the ledger
}

// ledgerMissing reports that the server started before any import: its
// first import creates the ledger.
func (s *Server) ledgerMissing() bool {
	m, ok := s.cfg.Ledger.(interface{ LedgerMissing() bool })
	return ok && m.LedgerMissing()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request, q *req) {
	s.render(w, http.StatusOK, "import", view{Title: "Import", Q: q, NavItem: "import",
		Data: importData{Available: s.cfg.Import != nil, MaxUpload: humanBytes(s.cfg.MaxUpload), NoLedger: s.ledgerMissing()}})
}

// safeName reduces a client file name to a base name of printable
// characters: it is shown in diagnostics and never used as a path.
func safeName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	n = path.Base(n)
	n = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' {
			return -1
		}
		return r
	}, n)
	if n == "" || n == "." || n == ".." {
		n = "upload.csv"
	}
	if len(n) > 120 {
		n = n[:120]
	}
	return n
}

// importSubmit streams the multipart body: the CSRF token must come first
// (forms send fields in document order), so no byte of a file is written
// before the request is known to be genuine. Files go to temporary files
// that are removed on every path out of this function.
func (s *Server) importSubmit(w http.ResponseWriter, r *http.Request, q *req) {
	if s.cfg.Import == nil {
		s.fail(w, r, q, http.StatusNotImplemented, "Import is not available in this build.")
		return
	}
	longRead(w, uploadReadTimeout) // hundreds of MiB take longer than a form
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload)
	var files []UploadedFile
	defer func() {
		for _, f := range files {
			os.Remove(f.Path)
		}
	}()
	mr, err := r.MultipartReader()
	if err != nil {
		s.fail(w, r, q, http.StatusBadRequest, "Send the files as a multipart form.")
		return
	}
	ir := ImportRequest{}
	csrfOK := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.uploadError(w, r, q, err)
			return
		}
		name := p.FormName()
		if !csrfOK && name != "csrf" {
			p.Close()
			s.fail(w, r, q, http.StatusForbidden, "The form's security token is missing or out of date. Go back, reload the page and try again.")
			return
		}
		switch name {
		case "csrf", "source", "period", "replace", "dry_run":
			v, err := io.ReadAll(io.LimitReader(p, maxFieldSize+1))
			p.Close()
			if err != nil {
				s.uploadError(w, r, q, err)
				return
			}
			if len(v) > maxFieldSize {
				s.fail(w, r, q, http.StatusBadRequest, "Form field "+name+" is too long.")
				return
			}
			val := strings.TrimSpace(string(v))
			switch name {
			case "csrf":
				if !s.sess.checkCSRF(q.Session.ID, val) {
					s.fail(w, r, q, http.StatusForbidden, "The form's security token is missing or out of date. Go back, reload the page and try again.")
					return
				}
				csrfOK = true
			case "source":
				ir.Source = val
			case "period":
				ir.Period = val
			case "replace":
				ir.Replace = val != ""
			case "dry_run":
				ir.DryRun = val != ""
			}
		case "files":
			if p.FileName() == "" {
				p.Close() // an empty file input
				continue
			}
			f, err := s.spool(p)
			p.Close()
			if f.Path != "" {
				files = append(files, f)
			}
			if err != nil {
				s.uploadError(w, r, q, err)
				return
			}
		default:
			p.Close()
		}
	}
	if !csrfOK {
		s.fail(w, r, q, http.StatusForbidden, "The form's security token is missing or out of date. Go back, reload the page and try again.")
		return
	}
	if len(files) == 0 {
		s.fail(w, r, q, http.StatusBadRequest, "Choose or drop at least one FOCUS CSV file.")
		return
	}
	if ir.Period != "" && !periodRE.MatchString(ir.Period) {
		s.fail(w, r, q, http.StatusBadRequest, "The period is YYYY-MM, or empty to take it from the rows.")
		return
	}
	if strings.ContainsAny(ir.Source, "\r\n\t") || len(ir.Source) > 64 {
		s.fail(w, r, q, http.StatusBadRequest, "The source is a short name such as AWS or HPC.")
		return
	}
	ir.Files = files
	reports, err := s.cfg.Import(r.Context(), q.actor(), ir)
	if err != nil {
		s.internal(w, r, q, err)
		return
	}
	status := http.StatusOK
	for i := range reports {
		reports[i].Diagnostics = groupDiagnostics(reports[i].Diagnostics)
		reports[i].Refused = webWords(reports[i].Refused)
		for j, d := range reports[i].Diagnostics {
			reports[i].Diagnostics[j] = flagWords(d)
		}
		if n := len(reports[i].Diagnostics); n > maxDiagShown {
			reports[i].Diagnostics = append(reports[i].Diagnostics[:maxDiagShown:maxDiagShown],
				fmt.Sprintf("… and %d more", n-maxDiagShown))
		}
		if reports[i].Refused != "" {
			status = http.StatusConflict
		}
	}
	s.render(w, status, "import", view{Title: "Import", Q: q, NavItem: "import",
		Data: importData{Available: true, MaxUpload: humanBytes(s.cfg.MaxUpload), Reports: reports, NoLedger: s.ledgerMissing(),
			Source: ir.Source, Period: ir.Period}})
}

// spool copies one file part to a temporary file. On error the returned
// Path (if any) is still set so the caller removes it.
func (s *Server) spool(p *multipart.Part) (UploadedFile, error) {
	tmp, err := os.CreateTemp(s.cfg.TempDir, "ocb-upload-*")
	if err != nil {
		return UploadedFile{}, fmt.Errorf("spool upload: %w", err)
	}
	f := UploadedFile{Name: safeName(p.FileName()), Path: tmp.Name()}
	f.Size, err = io.Copy(tmp, p)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	return f, err
}

func (s *Server) uploadError(w http.ResponseWriter, r *http.Request, q *req, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.fail(w, r, q, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The upload is larger than the limit of %s set for this server. Split the files into several uploads.", humanBytes(s.cfg.MaxUpload)))
		return
	}
	s.fail(w, r, q, http.StatusBadRequest, "The upload broke off: "+err.Error())
}
