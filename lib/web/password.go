package web

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// MinPasswordLength is the shortest password `focus-statement passwd`
// accepts, in characters. Twelve, not eight: with the common ones refused
// that puts an offline guess of a stolen users file out of reach.
const MinPasswordLength = 12

// maxPasswordBytes is bcrypt's limit; longer passwords are refused, not
// silently cut.
const maxPasswordBytes = 72

//go:embed common-passwords.txt
var commonPasswordsFile string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, l := range strings.Split(commonPasswordsFile, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
})

// unLeet undoes the look-alike swaps of common passwords ("P@ssw0rd").
var unLeet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a", "$", "s")

// CheckPassword says why a password is too weak for a web user, or
// nil: shorter than MinPasswordLength characters; a common password or
// a common word dressed up with digits, symbols and look-alike letters
// (lib/web/common-passwords.txt); the user's own name; or too few
// different characters. The message says what was wrong and what to do.
func CheckPassword(pw, user string) error {
	const advice = "attackers try these first; choose a passphrase of three or four unrelated words"
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength {
		return fmt.Errorf("password too short: %d characters, at least %d are needed; a passphrase of three or four unrelated words is long and easy to remember", n, MinPasswordLength)
	}
	if len(pw) > maxPasswordBytes {
		return fmt.Errorf("password too long: %d bytes, bcrypt takes at most %d and this tool refuses rather than cut it; a passphrase of three or four words fits", len(pw), maxPasswordBytes)
	}
	lower := strings.ToLower(pw)
	common := commonPasswords()
	if common[lower] || common[strings.Join(strings.Fields(lower), "")] {
		return fmt.Errorf("password refused: it is on the list of the most common passwords; %s", advice)
	}
	// The word inside: drop the digits and symbols around it (before
	// the look-alike swap, so "2024" stays a year), then read the rest.
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	core = strings.Join(strings.Fields(unLeet.Replace(core)), "")
	if core == "" {
		return fmt.Errorf("password refused: it has no letters, only digits or symbols; %s", advice)
	}
	if user != "" && strings.Contains(core, strings.ToLower(user)) {
		return fmt.Errorf("password refused: it contains the user name; %s", advice)
	}
	if common[core] || repeats(core, common) {
		return fmt.Errorf("password refused: it is a common word or password (%q) with digits, symbols or look-alike letters around it; %s", core, advice)
	}
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	if len(distinct) < 5 {
		return fmt.Errorf("password refused: only %d different characters; %s", len(distinct), advice)
	}
	return nil
}

// repeats reports whether s is a common word written several times
// ("monkeymonkey").
func repeats(s string, common map[string]bool) bool {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n == 0 && strings.Repeat(s[:n], len(s)/n) == s && common[s[:n]] {
			return true
		}
	}
	return false
}
