package web

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Role is what a web user may do. Roles are ordered: each includes the ones below.
type Role int

const (
	RoleNone     Role = iota
	RoleViewer        // read-only: dashboard, charges, statements
	RoleReviewer      // + review queue, adjustments, disputes
	RoleAdmin         // + import, close/finalize/reopen, resend mail
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleReviewer:
		return "reviewer"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// ParseRole reads "admin", "reviewer" or "viewer".
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "admin":
		return RoleAdmin, nil
	case "reviewer":
		return RoleReviewer, nil
	case "viewer":
		return RoleViewer, nil
	}
	return RoleNone, fmt.Errorf("unknown role %q (want admin, reviewer or viewer)", s)
}

// User is one line of the users file.
type User struct {
	Name string
	Role Role
	Hash []byte // bcrypt
}

// Users maps user names to users.
type Users map[string]User

// ParseUsers reads a users file: one `name:role:bcrypt-hash` a line, blank
// lines and lines starting with # ignored. Hashes come from
// `focus-statement passwd`. Plain-text passwords are refused.
func ParseUsers(r io.Reader, file string) (Users, error) {
	us := Users{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, rest, ok1 := strings.Cut(line, ":")
		roleS, hash, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || name == "" {
			return nil, fmt.Errorf("%s:%d: want name:role:bcrypt-hash", file, n)
		}
		if strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%s:%d: user name %q has blanks", file, n, name)
		}
		role, err := ParseRole(roleS)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		if _, err := bcrypt.Cost([]byte(hash)); err != nil {
			return nil, fmt.Errorf("%s:%d: user %s: not a bcrypt hash (make one with `focus-statement passwd`)", file, n, name)
		}
		if _, dup := us[name]; dup {
			return nil, fmt.Errorf("%s:%d: user %s listed twice", file, n, name)
		}
		us[name] = User{Name: name, Role: role, Hash: []byte(hash)}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(us) == 0 {
		return nil, fmt.Errorf("%s: no users", file)
	}
	return us, nil
}

// LoadUsers reads a users file from disk.
func LoadUsers(path string) (Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	defer f.Close()
	return ParseUsers(f, path)
}

// HashPassword returns a bcrypt hash for a users file line of user
// ("" when the name is not known), refusing a weak password
// (CheckPassword).
func HashPassword(pw, user string) (string, error) {
	if err := CheckPassword(pw, user); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the user does not exist, so a login
// for an unknown name costs the same time as one for a known name. Made
// on first use: at package init every run of focus-statement, serving or
// not, paid for a bcrypt hash (about 50 ms).
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password of anyone"), bcrypt.DefaultCost)
	return h
})

// check returns the user when name and password match.
func (us Users) check(name, pw string) (User, bool) {
	u, ok := us[name]
	var h []byte
	if ok {
		h = u.Hash
	} else {
		h = dummyHash()
	}
	if bcrypt.CompareHashAndPassword(h, []byte(pw)) != nil || !ok {
		return User{}, false
	}
	return u, true
}

// Login throttling counts failed sign-ins under three keys, each locked
// once its count reaches its limit:
//   - one user name from one address (maxFailures): guessing one user's
//     password;
//   - one address, whatever the names (maxAddrFailures): password
//     spraying, one common password against many names;
//   - one user name from anywhere (maxAccountFailures): a guess spread
//     over many addresses. Higher than the others, so one attacker
//     alone cannot lock a real user out, but a botnet gets few guesses.
//
// A lock lasts lockout after the last failure and doubles with each
// further failure past the limit (backoff), up to maxLockout: a patient
// attacker gets a handful of guesses an hour, not one a minute. Counts are
// forgotten after forgetAfter without a failure, and a successful sign-in
// clears the user's and the address's counts (a reviewer who mistyped
// twice is not punished later by colleagues behind the same NAT).
const (
	maxFailures        = 5
	maxAddrFailures    = 10
	maxAccountFailures = 20
	lockout            = time.Minute
	maxLockout         = 30 * time.Minute
	forgetAfter        = time.Hour
	maxThrottleKeys    = 10000
)

type throttle struct {
	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n     int
	last  time.Time
	noted time.Time // the end of the lock last audited (noteLock)
}

func newThrottle() *throttle { return &throttle{m: map[string]*failures{}} }

// lockFor is how long max-or-more failures lock: lockout at the limit,
// doubling with each failure past it, at most maxLockout.
func lockFor(n, max int) time.Duration {
	if n < max {
		return 0
	}
	d := lockout
	for i := max; i < n && d < maxLockout; i++ {
		d *= 2
	}
	return min(d, maxLockout)
}

// locked reports whether key is locked out now, and until when.
func (t *throttle) locked(key string, max int, now time.Time) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.m[key]
	if f == nil {
		return time.Time{}, false
	}
	if now.Sub(f.last) >= forgetAfter {
		delete(t.m, key)
		return time.Time{}, false
	}
	if until := f.last.Add(lockFor(f.n, max)); now.Before(until) {
		return until, true
	}
	return time.Time{}, false
}

func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	// Keep the map bounded: forget stale entries, and when an attacker
	// fills it with fresh names, the oldest single failures go first
	// (those below every limit), never an active lock.
	if len(t.m) >= maxThrottleKeys {
		for k, f := range t.m {
			if now.Sub(f.last) >= forgetAfter || (f.n == 1 && len(t.m) >= maxThrottleKeys/2) {
				delete(t.m, k)
			}
		}
	}
	f := t.m[key]
	if f == nil {
		f = &failures{}
		t.m[key] = f
	}
	f.n++
	f.last = now
}

// noteLock reports whether key's lock ending at until is news: the first
// refused attempt of a lock is audited, the others of that window are
// not (an attacker hammering a locked form must not fill the append-only
// audit table). No failure is counted while locked, so until is stable
// for the whole window.
func (t *throttle) noteLock(key string, until time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.m[key]
	if f == nil || f.noted.Equal(until) {
		return false
	}
	f.noted = until
	return true
}

func (t *throttle) success(keys ...string) {
	t.mu.Lock()
	for _, k := range keys {
		delete(t.m, k)
	}
	t.mu.Unlock()
}
