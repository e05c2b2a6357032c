package web

import (
	"regexp"
	"strings"
)

// flagAdvice turns the ledger's command-line advice into what the web
// user can do on the page. The ledger's messages are written for
// focus-load (they name its flags); a web page must never tell someone to
// pass a flag. Each entry is matched against the whole phrase, so a
// message the table does not know keeps its facts and only loses the
// flag syntax (the last entry).
var flagAdvice = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`; give --any to [a-z ]+ (it|them) anyway(?: \(e\.g\. to move it to another PI\))?`), ": only charges waiting in the review queue are decided here"},
	{regexp.MustCompile(`; give --any to change (it|that decision)`), ": it has been decided already"},
	{regexp.MustCompile(`: give --fund FUND`), ": choose the fund in the form"},
	{regexp.MustCompile(`: say which one with --fund`), ": choose one of them as the fund in the form"},
	{regexp.MustCompile(`give --period YYYY-MM`), "give the period in the form"},
	{regexp.MustCompile(`use --replace to replace it`), `tick "Replace an earlier file of this source" to replace it`},
	{regexp.MustCompile(`Wrong --source\?`), "Wrong source name?"},
	{regexp.MustCompile(`import with --allow-overlap \(audited\)`), "an admin can import them with the overlap allowed (audited); the web import never does"},
	{regexp.MustCompile(` with --ref "([^"]*)"`), ` with a reference to what it corrects ("$1")`},
	{regexp.MustCompile(`or the --pi\b`), "or the PI"},
	{regexp.MustCompile(`^--pi `), "PI "},
	{regexp.MustCompile(`^--reason is required`), "A reason is required"},
	{regexp.MustCompile(`^--amount is zero`), "The amount is zero"},
	{regexp.MustCompile(`^--note is required`), "A note is required"},
	{regexp.MustCompile(`needs --pi and --reason`), "needs a PI and a reason"},
	{regexp.MustCompile(`: give --tag ROLE=VALUE`), ": fill in a PI e-mail, fund/org or project"},
	{regexp.MustCompile(`give --new-pi`), "tick “new PI”"},
	{regexp.MustCompile(`give --new-fund`), "tick “new fund”"},
	// The web posts a void or a move into the one open period it finds;
	// choosing among several, or starting one, is the command line's.
	{regexp.MustCompile(`: give --into PERIOD \(with --new-period to start it\)`), ": an admin posts it from the command line, into a period they name"},
	{regexp.MustCompile(`: say which with --into`), ": an admin posts it from the command line, into the period they choose"},
}

// orCLIHint is a command offered as an alternative: " (or `focus-load remove 3`)".
var orCLIHint = regexp.MustCompile(" \\(or `focus-[^`]*`\\)")

// webFlag is any flag left: "--period 2025-02" reads "period 2025-02".
var webFlag = regexp.MustCompile(`(^|[\s(])--([a-z][a-z-]*)`)

// flagWords applies flagAdvice, then drops the dashes of any other flag.
func flagWords(msg string) string {
	for _, a := range flagAdvice {
		msg = a.re.ReplaceAllString(msg, a.with)
	}
	return webFlag.ReplaceAllStringFunc(msg, func(m string) string {
		return strings.Replace(strings.Replace(m, "--", "", 1), "-", " ", -1)
	})
}
