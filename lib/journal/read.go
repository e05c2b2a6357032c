package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/openchargeback/ocb/lib/statement"
)

// ReadStatements reads statement NDJSON (one object a line; blank lines,
// a UTF-8 BOM and CRLF are tolerated). Every undecodable line is a
// Problem; all of them are returned together in a *RefusedError.
func ReadStatements(r io.Reader, name string) ([]Input, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []Input
	var probs []Problem
	for n := 1; ; n++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			if n == 1 {
				b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
			}
			b = bytes.TrimSpace(b)
			if len(b) > 0 {
				var st statement.Statement
				if jerr := json.Unmarshal(b, &st); jerr != nil {
					probs = append(probs, Problem{File: name, Line: n, Msg: "not a statement: " + jsonMsg(jerr), Rule: "bad-json"})
				} else {
					out = append(out, Input{Statement: st, File: name, Line: n})
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	}
	if len(probs) > 0 {
		return out, &RefusedError{probs}
	}
	return out, nil
}

// jsonMsg keeps a decode error short: the field and what was wrong.
func jsonMsg(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Sprintf("%s: expected %s, got JSON %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}
