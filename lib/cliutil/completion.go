package cliutil

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// Build-time outputs, asked for by the Makefile as the only argument
// (`focus-load --generate-man`). They are not flags: a flag would show in
// --help and completion, and a subcommand named "man" would shadow a
// FILE argument of that name in focus-validate.
const (
	genMan  = "--generate-man"
	genBash = "--generate-bash-completion-script"
	genZsh  = "--generate-zsh-completion-script"
)

// generate writes a man page or completion script of the configured app
// when args asks for one, so they are made from the same definitions as
// --help and never drift from it.
func generate(app *cli.App, args []string, w io.Writer) (bool, error) {
	if len(args) != 2 {
		return false, nil
	}
	switch args[1] {
	case genMan:
		man, err := app.ToManWithSection(1)
		if err != nil {
			return true, err
		}
		_, err = io.WriteString(w, man)
		return true, err
	case genBash:
		return true, completion(app, w, false)
	case genZsh:
		return true, completion(app, w, true)
	}
	return false, nil
}

// completion writes a static completion script: subcommands and flags of
// the command the line has reached, and file names elsewhere (inputs are
// files). The data is shell case statements shared by the bash and zsh
// versions; only the glue differs.
func completion(app *cli.App, w io.Writer, zsh bool) error {
	fn := "_" + strings.ReplaceAll(app.Name, "-", "_")
	cmds := map[string][]string{}
	flags := map[string][]string{}
	valued := map[string][]string{}
	var walk func(path string, fl []cli.Flag, cs []*cli.Command)
	walk = func(path string, fl []cli.Flag, cs []*cli.Command) {
		for _, f := range fl {
			if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
				continue
			}
			for _, n := range f.Names() {
				d := "--" + n
				if len(n) == 1 {
					d = "-" + n
				}
				flags[path] = append(flags[path], d)
				if dg, ok := f.(cli.DocGenerationFlag); ok && dg.TakesValue() {
					valued[path] = append(valued[path], d)
				}
			}
		}
		for _, c := range cs {
			if c.Hidden {
				continue
			}
			cmds[path] = append(cmds[path], c.Names()...)
			p := c.Name
			if path != "" {
				p = path + " " + c.Name
			}
			walk(p, c.Flags, c.Subcommands)
		}
	}
	walk("", app.Flags, app.Commands)

	var b strings.Builder
	if zsh {
		fmt.Fprintf(&b, "#compdef %s\n", app.Name)
	}
	fmt.Fprintf(&b, "# %s completion (%s), generated from its command definitions by `%s %s`.\n\n",
		app.Name, map[bool]string{false: "bash", true: "zsh"}[zsh], app.Name, map[bool]string{false: genBash, true: genZsh}[zsh])
	for _, kind := range []struct {
		name string
		m    map[string][]string
	}{{"cmds", cmds}, {"flags", flags}, {"valued", valued}} {
		fmt.Fprintf(&b, "%s_%s() {\n  case $1 in\n", fn, kind.name)
		keys := make([]string, 0, len(kind.m))
		for k := range kind.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "    %q) echo %q ;;\n", k, strings.Join(kind.m[k], " "))
		}
		b.WriteString("  esac\n}\n\n")
	}
	// The walk: words that name a subcommand of the path so far extend
	// it; a flag that takes a value swallows the next word. It is the same
	// in both shells but for where the words are (zsh counts from 1).
	first, current, words := "1", "COMP_CWORD", "COMP_WORDS"
	if zsh {
		first, current, words = "2", "CURRENT", "words"
	}
	loop := fmt.Sprintf(`  for ((i = %[2]s; i < %[3]s; i++)); do
    w=${%[4]s[i]}
    if ((skip)); then skip=0; continue; fi
    case $w in
      --*=*) continue ;;
      -*) [[ " $(%[1]s_valued "$p") " == *" $w "* ]] && skip=1; continue ;;
    esac
    [[ " $(%[1]s_cmds "$p") " == *" $w "* ]] && p="${p:+$p }$w"
  done
`, fn, first, current, words)
	if zsh {
		fmt.Fprintf(&b, `%[1]s() {
  local p="" w skip=0 i
%[2]s  if ((skip)); then _files; return; fi
  if [[ ${words[CURRENT]} == -* ]]; then
    compadd -- ${=$(%[1]s_flags "$p")}
  else
    compadd -- ${=$(%[1]s_cmds "$p")}
    _files
  fi
}

%[1]s "$@"
`, fn, loop)
	} else {
		fmt.Fprintf(&b, `%[1]s() {
  local cur=${COMP_WORDS[COMP_CWORD]} p="" w skip=0 i
%[2]s  if ((skip)); then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(%[1]s_flags "$p")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(%[1]s_cmds "$p")" -- "$cur") $(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F %[1]s %[3]s
`, fn, loop, app.Name)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
