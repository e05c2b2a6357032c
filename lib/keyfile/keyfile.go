// Package keyfile reads and creates the secret key files beside a ledger
// (the web session key, the PI link key): hex, mode 0600, refused when
// group or others can read them.
package keyfile

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// LoadOrCreate reads the key (hex) from path, creating it with mode 0600
// and size random bytes when it does not exist; what names the key in
// errors ("session key"). A key file readable by group or others is
// refused: whoever holds it can forge what the key signs.
func LoadOrCreate(path, what string, size int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, size)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreate(path, what, size) // another process made it first; use its key
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, fmt.Errorf("%s %s: %w", what, path, werr)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s %s is readable by others (mode %v); chmod 600 it", what, path, st.Mode().Perm())
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < 16 {
		return nil, fmt.Errorf("%s %s: not a hex key of at least 16 bytes", what, path)
	}
	return key, nil
}
