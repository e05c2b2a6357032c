package pilink

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSignVerifyTamperExpire(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)
	c := Claims{Period: "2025-01", StatementID: "2025-01-00000001", Email: "Ada@uni.edu", Expires: now.Add(time.Hour)}
	tok, err := Sign(key, c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(key, tok, now)
	if err != nil || got.Email != "ada@uni.edu" || got.StatementID != c.StatementID || !got.Expires.Equal(c.Expires) {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := Verify(key, tok, now.Add(time.Hour)); err != ErrInvalid {
		t.Error("expired token accepted")
	}
	if _, err := Verify([]byte("another key of 32 bytes........."), tok, now); err != ErrInvalid {
		t.Error("other key accepted")
	}
	// Change the statement id in the claims, keep the MAC.
	p, sig, _ := strings.Cut(tok, ".")
	b, _ := base64.RawURLEncoding.DecodeString(p)
	forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(b), "00000001", "00000002", 1))) + "." + sig
	for _, bad := range []string{forged, tok + "x", p + ".", "", ".", strings.Repeat("a", 2000), tok[:len(tok)-2]} {
		if _, err := Verify(key, bad, now); err != ErrInvalid {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ledger.db.link-key")
	k1, err := LoadOrCreateKey(p)
	if err != nil || len(k1) != 32 {
		t.Fatal(k1, err)
	}
	k2, err := LoadOrCreateKey(p)
	if err != nil || string(k1) != string(k2) {
		t.Fatal("key changed")
	}
	os.Chmod(p, 0o644)
	if _, err := LoadOrCreateKey(p); err == nil {
		t.Error("world-readable key accepted")
	}
}
