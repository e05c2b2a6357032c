package pdf

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/openchargeback/ocb/lib/statement"
)

// TestZipIsTheFolderWriteFilesWrites: the zip's entries are the files
// WriteFiles writes (same relative names, same bytes); the statements get
// the entry name and hash; a finalized period gives the same zip twice.
func TestZipIsTheFolderWriteFilesWrites(t *testing.T) {
	r := renderer(t)
	two := func() []statement.Statement {
		a, b := *sample(statement.StatusFinal), *sample(statement.StatusFinal)
		b.StatementID, b.PI.Email, b.PI.Name = "2025-01-00000007", "grace@uni.edu", "Grace Hopper"
		return []statement.Statement{a, b}
	}
	dir := t.TempDir()
	files := two()
	if _, err := r.WriteFiles(files, nil, dir, 1, nil); err != nil {
		t.Fatal(err)
	}
	var z1, z2 bytes.Buffer
	sts := two()
	if err := r.WriteZip(&z1, sts, nil); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteZip(&z2, two(), nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(z1.Bytes(), z2.Bytes()) {
		t.Error("two zips of the same finalized period differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(z1.Bytes()), int64(z1.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 {
		t.Fatalf("%d entries", len(zr.File))
	}
	for i, f := range zr.File {
		rc, _ := f.Open()
		got, _ := io.ReadAll(rc)
		rc.Close()
		want, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: not the file WriteFiles wrote (%v)", f.Name, err)
		}
		if sts[i].PDF != f.Name || sts[i].PDFSHA256 != files[i].PDFSHA256 {
			t.Errorf("statement %d: pdf %q sha %s, want %q %s", i, sts[i].PDF, sts[i].PDFSHA256, f.Name, files[i].PDFSHA256)
		}
		if f.Modified.UTC().Format("2006-01-02T15:04:05Z") != "2025-02-03T19:05:06Z" {
			t.Errorf("%s: dated %v, want the finalize time", f.Name, f.Modified)
		}
	}
}
