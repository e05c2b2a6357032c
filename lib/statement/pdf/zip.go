package pdf

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement"
)

// WriteZip renders every statement and writes the PDFs into one zip
// archive on w, each under the path focus-statement --pdf-dir gives it
// (PERIOD/BaseName), so unpacking the zip yields the same folder and the
// same bytes as the command line. Each statement's PDF field is set to
// that relative path and PDFSHA256 to the file's hash, as WriteFiles does,
// so the statements CSV or NDJSON written afterwards describes the zip.
//
// Entries carry the period's finalize time (or none for drafts) instead of
// the time of the download: the same finalized period gives the same zip.
func (r *Renderer) WriteZip(w io.Writer, sts []statement.Statement, hist map[string][]ledger.MonthTotal) error {
	zw := zip.NewWriter(w)
	for i := range sts {
		st := &sts[i]
		b, err := r.Statement(st, hist[strings.ToLower(st.PI.Email)])
		if err != nil {
			return fmt.Errorf("render statement %s: %w", st.StatementID, err)
		}
		// Zip paths use '/', whatever the OS's separator is.
		name := path.Join(safeName(st.Period), BaseName(st))
		hdr := &zip.FileHeader{Name: name, Method: zip.Store} // PDFs are compressed already
		if t, err := time.Parse(time.RFC3339, st.FinalizedAt); err == nil {
			hdr.Modified = t.UTC()
		}
		f, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		st.PDF, st.PDFSHA256 = name, hex.EncodeToString(sum[:])
	}
	return zw.Close()
}
