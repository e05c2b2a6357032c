package cliutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
	"gopkg.in/yaml.v3"
)

// DefaultConfig is read when neither --config nor FOCUS_CONFIG names a
// file and it exists: a server install configures every tool in one place.
const DefaultConfig = "/etc/openchargeback/config.yaml"

// defaultConfig is DefaultConfig; a test points it elsewhere (never
// changed otherwise).
var defaultConfig = DefaultConfig

// configure wires one YAML config file into app and all its subcommands
// (DESIGN.md "Configuration and install"). It walks the command tree, so
// a flag or subcommand added later gets all of this without a line of
// its own:
//
//   - A setting is a flag with an environment variable (cliutil.Env): only
//     those are wrapped with altsrc and read from the file, so the rule
//     "per-run choices never come from the environment" (TestEnvOnlyForSettings)
//     is also the rule for the file. Precedence flag > environment > file >
//     default is altsrc's own: it fills a flag only when neither the
//     command line nor the variable set it.
//   - A flag given before a subcommand that defines the same flag is the
//     subcommand's value ("focus-statement --db X report" reports on X).
//     Given on both sides with different values, it is refused: guessing
//     which one was meant could bill from the wrong ledger.
//   - --config FILE / FOCUS_CONFIG, and --print-config (effective
//     settings with their source, secrets masked, then exit) are added
//     to the root and, hidden, to every subcommand so they work anywhere
//     on the line.
//   - Settings a command defines are inherited by its subcommands, as
//     hidden flags of their own ("focus-load periods list --db X").
//   - Required flags are checked after the file is read and values
//     given before the subcommand are in, so a required --users can come
//     from the file and "focus-load --period P adjust ..." works.
func configure(app *cli.App, data io.Writer) {
	cf := &configurer{data: data, loaded: map[string]map[any]any{}, required: map[cli.Flag]bool{}}
	if app.Metadata == nil {
		app.Metadata = map[string]any{}
	}
	app.Metadata[configurerKey] = cf
	inherited := settings(app.Flags, nil)
	app.Flags = cf.flags(app.Flags, true)
	app.Before = cf.before(app.Before, app.Flags)
	app.Action = cf.action(app.Action)
	var walk func([]*cli.Command, []cli.Flag)
	walk = func(cmds []*cli.Command, inherited []cli.Flag) {
		for _, cmd := range cmds {
			mine := settings(cmd.Flags, inherited)
			// A new slice: commands may share a backing array of flags,
			// which an append in place would overwrite.
			all := append(append([]cli.Flag{}, cmd.Flags...), hiddenCopies(cmd.Flags, inherited)...)
			cmd.Flags = cf.flags(all, false)
			cmd.Before = cf.before(cmd.Before, cmd.Flags)
			cmd.Action = cf.action(cmd.Action)
			walk(cmd.Subcommands, mine)
		}
	}
	walk(app.Commands, inherited)
}

// settings is the settings a command's subcommands inherit: its own and,
// where it has none of that name, its parent's.
func settings(flags, inherited []cli.Flag) []cli.Flag {
	out := []cli.Flag{}
	have := map[string]bool{}
	for _, f := range flags {
		if IsSetting(f) {
			out = append(out, f)
			have[f.Names()[0]] = true
		}
	}
	for _, f := range inherited {
		if !have[f.Names()[0]] {
			out = append(out, f)
		}
	}
	return out
}

// hiddenCopies are the inherited settings a command does not define
// itself, as hidden flags of its own: "focus-load periods list --db X"
// then works as "focus-load --db X periods list" does, and the value the
// command reads is the one on its line wherever it was written.
func hiddenCopies(flags, inherited []cli.Flag) []cli.Flag {
	have := map[string]bool{}
	for _, f := range flags {
		for _, n := range f.Names() {
			have[n] = true
		}
	}
	var out []cli.Flag
	for _, f := range inherited {
		if have[f.Names()[0]] {
			continue
		}
		v := reflect.ValueOf(f)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			continue
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(v.Elem())
		if h := c.Elem().FieldByName("Hidden"); h.IsValid() && h.CanSet() {
			h.SetBool(true)
		}
		if r := c.Elem().FieldByName("Required"); r.IsValid() && r.CanSet() {
			r.SetBool(false) // checked where it is defined
		}
		out = append(out, c.Interface().(cli.Flag))
	}
	return out
}

type configurer struct {
	data   io.Writer
	loaded map[string]map[any]any // file → parsed, read once per run
	// required holds the Required settings: urfave/cli checks Required
	// before Before reads the file, so the check moves after it.
	required map[cli.Flag]bool
	// from records where each value set in a context came from, for
	// --print-config: "file PATH" or "flag (before SUBCOMMAND)".
	from map[*cli.Context]map[string]string
	// file is the config file read ("" = none).
	file string
}

func (cf *configurer) flags(flags []cli.Flag, root bool) []cli.Flag {
	out := make([]cli.Flag, 0, len(flags)+2)
	for _, f := range flags {
		req := false
		if v := reflect.ValueOf(f); v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			// Not one of urfave/cli's flag structs: left to urfave/cli.
		} else if r := v.Elem().FieldByName("Required"); r.IsValid() && r.Kind() == reflect.Bool && r.Bool() {
			// urfave/cli checks Required before Before, i.e. before
			// the file is read and before a value given ahead of the
			// subcommand is inherited: checked in before instead.
			r.SetBool(false)
			req = true
		}
		f = wrapSetting(f)
		if req {
			cf.required[f] = true
		}
		out = append(out, f)
	}
	have := map[string]bool{}
	for _, f := range out {
		for _, n := range f.Names() {
			have[n] = true
		}
	}
	if !have["config"] {
		out = append(out, &cli.StringFlag{Name: "config", Usage: "read settings (long flag names as keys) from the YAML `FILE` (default " + DefaultConfig + " when present)", EnvVars: []string{"FOCUS_CONFIG"}, Hidden: !root})
	}
	if !have["print-config"] {
		out = append(out, &cli.BoolFlag{Name: "print-config", Usage: "print the effective settings and where each comes from (secrets masked), then exit", Hidden: !root})
	}
	return out
}

// IsSetting reports whether f is a setting: a flag with an environment
// variable, which the config file may also set.
func IsSetting(f cli.Flag) bool {
	if f.Names()[0] == "config" {
		return false
	}
	d, ok := f.(cli.DocGenerationFlag)
	return ok && len(d.GetEnvVars()) > 0
}

// wrapSetting returns the altsrc twin of a setting flag (per-run flags
// unchanged). A setting of a kind altsrc cannot read stays as it is;
// cliutiltest.SettingsFromFile, which every tool's tests run, fails for it.
func wrapSetting(f cli.Flag) cli.Flag {
	if !IsSetting(f) {
		return f
	}
	switch f := f.(type) {
	case *cli.StringFlag:
		return altsrc.NewStringFlag(f)
	case *cli.BoolFlag:
		return altsrc.NewBoolFlag(f)
	case *cli.IntFlag:
		return altsrc.NewIntFlag(f)
	case *cli.Int64Flag:
		return altsrc.NewInt64Flag(f)
	case *cli.UintFlag:
		return altsrc.NewUintFlag(f)
	case *cli.Float64Flag:
		return altsrc.NewFloat64Flag(f)
	case *cli.DurationFlag:
		return altsrc.NewDurationFlag(f)
	case *cli.StringSliceFlag:
		return altsrc.NewStringSliceFlag(f)
	case *cli.IntSliceFlag:
		return altsrc.NewIntSliceFlag(f)
	case *cli.PathFlag:
		return altsrc.NewPathFlag(f)
	case *cli.GenericFlag:
		return altsrc.NewGenericFlag(f)
	}
	return f
}

// localSet is the names set in c's own flag set: on the command line, or
// by Set (the file, inheritance). urfave/cli/v2 keeps the flag set
// private and IsSet also counts environment variables, which would make a
// variable look like a command-line flag; the names are read through
// reflection (only reading, which Go allows for unexported fields).
// TestConfigPrecedence and TestFlagBothSides fail if a urfave/cli upgrade
// renames them.
func localSet(c *cli.Context) map[string]bool {
	out := map[string]bool{}
	fs := reflect.ValueOf(c).Elem().FieldByName("flagSet")
	if !fs.IsValid() || fs.IsNil() {
		return out
	}
	actual := fs.Elem().FieldByName("actual")
	if !actual.IsValid() {
		return out
	}
	for _, k := range actual.MapKeys() {
		out[k.String()] = true
	}
	return out
}

// configurerKey holds an app's configurer in its Metadata, for
// OnCommandLine.
const configurerKey = "cliutil.configurer"

// OnCommandLine reports whether the value of setting name in c was typed
// on this command line (where ps shows it to every user of the host), as
// opposed to the environment, the config file or the default.
func OnCommandLine(c *cli.Context, name string) bool {
	cf, _ := c.App.Metadata[configurerKey].(*configurer)
	for _, ctx := range c.Lineage() {
		if localSet(ctx)[name] {
			return cf == nil || !strings.HasPrefix(cf.from[ctx][name], "file")
		}
	}
	return false
}

func definesFlag(c *cli.Context, name string) bool {
	var flags []cli.Flag
	if c.Command != nil {
		flags = c.Command.Flags
	} else if c.App != nil {
		flags = c.App.Flags
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// inherit gives c the values of its flags that were set before its name
// on the command line.
func (cf *configurer) inherit(c *cli.Context, flags []cli.Flag) error {
	lineage := c.Lineage()
	if len(lineage) < 2 {
		return nil
	}
	local := localSet(c)
	for _, f := range flags {
		name := f.Names()[0]
		for _, anc := range lineage[1:] {
			if !definesFlag(anc, name) || !localSet(anc)[name] {
				continue
			}
			if src := cf.from[anc][name]; strings.HasPrefix(src, "file") {
				break // the file fills this command's flag itself, after the command line
			}
			if local[name] {
				if stringOf(c.Value(name)) != stringOf(anc.Value(name)) {
					return fmt.Errorf("--%s is given before and after %q with different values (%s, %s): give it once", name, c.Command.Name, stringOf(anc.Value(name)), stringOf(c.Value(name)))
				}
				break
			}
			if err := setFrom(c, name, anc.Value(name)); err != nil {
				return fmt.Errorf("--%s before %q: %w", name, c.Command.Name, err)
			}
			cf.mark(c, name, "flag (before "+c.Command.Name+")")
			break
		}
	}
	return nil
}

func (cf *configurer) mark(c *cli.Context, name, src string) {
	if cf.from == nil {
		cf.from = map[*cli.Context]map[string]string{}
	}
	if cf.from[c] == nil {
		cf.from[c] = map[string]string{}
	}
	cf.from[c][name] = src
}

// plain turns urfave/cli's slice values (what Context.Value returns for
// a slice flag) into Go slices.
func plain(v any) any {
	switch v := v.(type) {
	case cli.StringSlice:
		return v.Value()
	case *cli.StringSlice:
		return v.Value()
	case cli.IntSlice:
		return v.Value()
	case *cli.IntSlice:
		return v.Value()
	}
	return v
}

// setFrom sets flag name of c to v, a value read from another context.
func setFrom(c *cli.Context, name string, v any) error {
	switch v := plain(v).(type) {
	case []string:
		for _, s := range v {
			if err := c.Set(name, s); err != nil {
				return err
			}
		}
		return nil
	case []int:
		for _, s := range v {
			if err := c.Set(name, fmt.Sprint(s)); err != nil {
				return err
			}
		}
		return nil
	}
	return c.Set(name, stringOf(v))
}

func stringOf(v any) string {
	v = plain(v)
	switch v := v.(type) {
	case nil:
		return ""
	case time.Duration:
		return v.String()
	case []string:
		return strings.Join(v, ",")
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// configFile is the file to read: --config, FOCUS_CONFIG, else
// DefaultConfig when it exists ("" = none). A named file must exist.
func configFile(c *cli.Context) (string, error) {
	if p := c.String("config"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("config: %w", err)
		}
		return p, nil
	}
	if _, err := os.Stat(defaultConfig); err == nil {
		return defaultConfig, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("config: %w", err)
	}
	return "", nil
}

// PerRun names the per-run selections and actions of every tool: no
// environment variable (TestEnvOnlyForSettings) and no config file key. A
// name that is a setting in one tool and per-run in another (--from: the
// sender in focus-mail, a period in focus-load carry-credits) is not here;
// the file simply never reaches the per-run flag.
var PerRun = map[string]bool{}

func init() {
	for _, f := range strings.Fields(`source period replace allow-overlap pi amount reason note ref project fund charge
		any new-pi tag status ids by format template out output reject strict spec baseline only-flagged explain quiet
		draft journal-id accounting-date dry-run resend write-templates year user role print-template`) {
		PerRun[f] = true
	}
}

// source reads the config file once and refuses one that holds a per-run
// choice: a "period: 2025-01" in the file would otherwise be ignored
// without a word while the admin believes it applies.
func (cf *configurer) source(c *cli.Context, flags []cli.Flag) (altsrc.InputSourceContext, error) {
	path, err := configFile(c)
	if err != nil {
		return nil, err
	}
	cf.file = path
	if path == "" {
		return altsrc.NewMapInputSource("", map[any]any{}), nil
	}
	m, ok := cf.loaded[path]
	if !ok {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		m = map[any]any{}
		if err := yaml.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		cf.loaded[path] = m
	}
	var bad []string
	for k := range m {
		if ks, ok := k.(string); ok && PerRun[ks] {
			bad = append(bad, ks)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return nil, fmt.Errorf("config %s: %s: per-run choices are never read from the file: give them on the command line", path, strings.Join(bad, ", "))
	}
	return altsrc.NewMapInputSource(path, listsAsLists(m, flags)), nil
}

// listsAsLists returns m with a single value given for a repeatable
// setting ("trusted-proxy: 127.0.0.1") made a list of one, as the flag
// given once on the command line would be; altsrc refuses the scalar
// with a message about Go types an admin cannot act on.
func listsAsLists(m map[any]any, flags []cli.Flag) map[any]any {
	var out map[any]any
	for _, f := range flags {
		switch f.(type) {
		case *altsrc.StringSliceFlag, *altsrc.IntSliceFlag, *cli.StringSliceFlag, *cli.IntSliceFlag:
		default:
			continue
		}
		for _, name := range f.Names() {
			v, ok := m[name]
			if _, isList := v.([]any); !ok || isList || v == nil {
				continue
			}
			if out == nil {
				out = maps.Clone(m)
			}
			out[name] = []any{v}
		}
	}
	if out == nil {
		return m
	}
	return out
}

func (cf *configurer) before(next cli.BeforeFunc, flags []cli.Flag) cli.BeforeFunc {
	return func(c *cli.Context) error {
		if err := cf.inherit(c, flags); err != nil {
			return err
		}
		isc, err := cf.source(c, flags)
		if err != nil {
			return err
		}
		pre := localSet(c)
		if err := altsrc.ApplyInputSourceValues(c, isc, flags); err != nil {
			return fmt.Errorf("config %s: %w", cf.file, err)
		}
		for n := range localSet(c) {
			if !pre[n] {
				cf.mark(c, n, "file "+cf.file)
			}
		}
		if err := cf.checkRequired(c, flags); err != nil {
			return err
		}
		if next != nil {
			return next(c)
		}
		return nil
	}
}

// checkRequired is urfave/cli's check of Required flags, with its
// messages and the help on stderr, run once values given before the
// subcommand and the file's are in.
func (cf *configurer) checkRequired(c *cli.Context, flags []cli.Flag) error {
	var missing []string
	for _, f := range flags {
		if cf.required[f] && !c.IsSet(f.Names()[0]) {
			missing = append(missing, f.Names()[0])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if lin := c.Lineage(); len(lin) > 1 && c.Command != nil && lin[1].Command != nil {
		_ = cli.ShowCommandHelp(lin[1], c.Command.Name)
	} else {
		_ = cli.ShowAppHelp(c)
	}
	if len(missing) == 1 {
		return fmt.Errorf("Required flag %q not set", missing[0])
	}
	return fmt.Errorf("Required flags %q not set", strings.Join(missing, ", "))
}

// dropped refuses a flag given before the subcommand that runs, on the
// root, when the subcommand has no such flag. Such a flag belongs to the
// root's own action (focus-load's default import takes --source), which
// does not run: it would be dropped without a word. (Settings never are:
// every subcommand has them. A group's own flags are left alone: its
// subcommands may read them.)
func (cf *configurer) dropped(c *cli.Context) error {
	lin := c.Lineage()
	if len(lin) < 2 || c.Command == nil {
		return nil
	}
	root := lin[len(lin)-1]
	if root.Command == nil && len(lin) > 2 {
		root = lin[len(lin)-2] // urfave/cli's outermost context holds no flags
	}
	if root == c {
		return nil
	}
	var names []string
	for n := range localSet(root) {
		if !definesFlag(c, n) && !strings.HasPrefix(cf.from[root][n], "file") {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil
	}
	sort.Strings(names)
	return fmt.Errorf("--%s is not an option of %q: give it to the command that uses it", strings.Join(names, ", --"), c.Command.Name)
}

// action answers --print-config instead of running the command.
func (cf *configurer) action(next cli.ActionFunc) cli.ActionFunc {
	if next == nil {
		return nil // a group: urfave/cli (or Run) answers it
	}
	return func(c *cli.Context) error {
		if err := cf.dropped(c); err != nil {
			return err
		}
		if c.Bool("print-config") {
			return cf.print(c)
		}
		return next(c)
	}
}

// print writes the effective settings of c as YAML that can be pasted
// into the config file, each with a comment saying where it came from.
func (cf *configurer) print(c *cli.Context) error {
	type entry struct{ name, value, src string }
	seen := map[string]bool{}
	var es []entry
	for _, ctx := range c.Lineage() {
		var flags []cli.Flag
		if ctx.Command != nil {
			flags = ctx.Command.Flags
		} else if ctx.App != nil {
			flags = ctx.App.Flags
		}
		for _, f := range flags {
			name := f.Names()[0]
			if !IsSetting(f) || seen[name] {
				continue
			}
			seen[name] = true
			env := f.(cli.DocGenerationFlag).GetEnvVars()[0]
			src := cf.from[ctx][name]
			switch {
			case src != "":
			case localSet(ctx)[name]:
				src = "flag"
			case envSet(env):
				src = "env " + env
			default:
				src = "default"
			}
			es = append(es, entry{name, Mask(name, stringOf(ctx.Value(name))), src})
		}
	}
	sort.Slice(es, func(i, j int) bool { return es[i].name < es[j].name })
	// The per-run choices of this command line, as comments: they are
	// never settings, but showing them tells where each one landed.
	var perRun []string
	for _, ctx := range c.Lineage() {
		if ctx.Command == nil {
			continue
		}
		set := localSet(ctx)
		for _, f := range ctx.Command.Flags {
			n := f.Names()[0]
			if IsSetting(f) || seen[n] || !set[n] || n == "print-config" || n == "config" {
				continue
			}
			seen[n] = true
			perRun = append(perRun, fmt.Sprintf("# per-run: --%s %s", n, stringOf(ctx.Value(n))))
		}
	}
	sort.Strings(perRun)
	file := cf.file
	if file == "" {
		file = "none (" + defaultConfig + " is absent)"
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	for _, e := range es {
		v := &yaml.Node{Kind: yaml.ScalarNode, Value: e.value, LineComment: e.src}
		if e.value == "" {
			v.Style = yaml.DoubleQuotedStyle // "" rather than YAML's null
		}
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: e.name}, v)
	}
	w := cf.data
	fmt.Fprintf(w, "# %s: effective settings; config file: %s\n", c.App.Name, file)
	if len(es) > 0 {
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	for _, l := range perRun {
		fmt.Fprintln(w, l)
	}
	return nil
}

// envSet is urfave/cli's and altsrc's rule: a variable set, even empty,
// wins over the file.
func envSet(name string) bool {
	_, ok := os.LookupEnv(name)
	return ok
}

// libpqPassword is the password of a PostgreSQL keyword DSN
// ("host=db password=pw dbname=ledger"), quoted or not.
var libpqPassword = regexp.MustCompile(`(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)`)

// Mask hides secrets in a setting printed for a person: a value whose
// name says it is a secret (not a file naming one, such as
// smtp-password-file), and the password of a URL (smtp://user:pw@…,
// postgres://user:pw@…) or of a keyword DSN (password=pw).
func Mask(name, value string) string {
	if value == "" {
		return value
	}
	for _, s := range []string{"password", "secret", "token"} {
		// A "-file" setting names where the secret is, not the secret.
		if strings.Contains(name, s) && !strings.HasSuffix(name, "-file") {
			return "********"
		}
	}
	if libpqPassword.MatchString(value) {
		return libpqPassword.ReplaceAllString(value, "${1}********")
	}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return strings.Replace(u.String(), "xxxxx", "********", 1)
		}
	}
	return value
}
