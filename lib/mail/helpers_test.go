package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/quotedprintable"
	"os"

	"github.com/openchargeback/ocb/lib/statement"
)

type statementT = statement.Statement

func asStatementError(err error, se **StatementError) bool { return errors.As(err, se) }

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o644) }

func newQPReader(r io.Reader) io.Reader { return quotedprintable.NewReader(r) }

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
