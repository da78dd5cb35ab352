package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/shiftsim/shiftsim/scenarios"
)

func init() {
	register("completion", "print a shell completion script: completion bash|zsh|fish", cmdCompletion)
}

const completionHelp = `Usage: shiftsim completion bash|zsh|fish

Prints a script that completes shiftsim's commands, flags, format names and built-in scenario
names in that shell. Load it with:
  bash:  source <(shiftsim completion bash)          (or save it in ~/.local/share/bash-completion/completions/shiftsim)
  zsh:   shiftsim completion zsh > "${fpath[1]}/_shiftsim"   (then restart zsh)
  fish:  shiftsim completion fish > ~/.config/fish/completions/shiftsim.fish
`

func cmdCompletion(args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, completionHelp)
		return nil
	}
	if len(args) != 1 {
		return inputErrf("want one shell: bash, zsh or fish (see --help)")
	}
	specs := commandSpecs()
	switch args[0] {
	case "bash":
		return writeBash(stdout, specs)
	case "zsh":
		return writeZsh(stdout, specs)
	case "fish":
		return writeFish(stdout, specs)
	}
	return inputErrf("unknown shell %q%s: want bash, zsh or fish", args[0], didYouMean(args[0], []string{"bash", "zsh", "fish"}))
}

// cmdSpec is what completion knows of one command (or "import sam").
type cmdSpec struct {
	words    []string // "compare", or "import", "sam"
	summary  string
	scenario bool // its argument is a SCENARIO: built-in names complete too
	flags    []flagSpec
}

type flagSpec struct {
	long, short, usage string
	value              bool     // takes a value
	values             []string // the values it takes, when a fixed set
}

// valuesAnnotation lists the fixed values of a flag, for completion.
const valuesAnnotation = "shiftsim_values"

// subWords are the words a command takes before its flags.
func subWords(name string) []string {
	switch name {
	case "import":
		kinds := make([]string, 0, len(importKinds))
		for k := range importKinds {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		return kinds
	case "trace":
		return []string{"inspect"}
	case "completion":
		return []string{"bash", "zsh", "fish"}
	}
	return nil
}

// commandSpecs asks every command for its flag set: each command is run
// with the collector set, which makes parseFlags hand the set back unparsed.
func commandSpecs() []cmdSpec {
	var specs []cmdSpec
	for _, name := range commandNames() {
		c := commands[name]
		subs := subWords(name)
		if len(subs) == 0 || name == "completion" {
			specs = append(specs, collectSpec([]string{name}, c.summary, c, nil))
			continue
		}
		specs = append(specs, cmdSpec{words: []string{name}, summary: c.summary})
		for _, sub := range subs {
			specs = append(specs, collectSpec([]string{name, sub}, c.summary, c, []string{sub}))
		}
	}
	return specs
}

func collectSpec(words []string, summary string, c command, args []string) cmdSpec {
	collecting = &flagCollector{argsUsage: map[*pflag.FlagSet]string{}}
	defer func() { collecting = nil }()
	c.run(args, io.Discard, io.Discard)
	sp := cmdSpec{words: words, summary: summary}
	fs := collecting.got
	if fs == nil {
		return sp
	}
	u := collecting.argsUsage[fs]
	sp.scenario = strings.HasPrefix(u, "SCENARIO") || strings.HasPrefix(u, "[SCENARIO")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		sp.flags = append(sp.flags, flagSpec{long: f.Name, short: f.Shorthand, usage: firstLine(f.Usage),
			value: f.Value.Type() != "bool", values: f.Annotations[valuesAnnotation]})
	})
	sp.flags = append(sp.flags, flagSpec{long: "help", short: "h", usage: "this command's help"})
	return sp
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func writeBash(w io.Writer, specs []cmdSpec) error {
	var b strings.Builder
	b.WriteString("# bash completion for shiftsim (shiftsim completion bash)\n_shiftsim() {\n")
	b.WriteString("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
	fmt.Fprintf(&b, "    local builtins=%q\n", strings.Join(scenarios.Names(), " "))
	b.WriteString("    COMPREPLY=()\n    if [ \"$COMP_CWORD\" -eq 1 ]; then\n")
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %q -- \"$cur\"))\n        return\n    fi\n", strings.Join(append(commandNames(), "help", "--help", "--version"), " "))
	b.WriteString("    local cmd=\"${COMP_WORDS[1]}\" key=\"${COMP_WORDS[1]}\" flags=\"\" scenario=0 subs=\"\"\n")
	b.WriteString("    case \"$cmd\" in\n")
	fmt.Fprintf(&b, "    help) subs=%q ;;\n", strings.Join(commandNames(), " "))
	for _, sp := range specs {
		if len(sp.words) == 1 {
			if subs := subWords(sp.words[0]); len(subs) > 0 {
				fmt.Fprintf(&b, "    %s) subs=%q; key=\"%s ${COMP_WORDS[2]}\" ;;\n", sp.words[0], strings.Join(subs, " "), sp.words[0])
				continue
			}
		}
	}
	b.WriteString("    esac\n")
	b.WriteString("    if [ -n \"$subs\" ] && [ \"$COMP_CWORD\" -eq 2 ]; then\n        COMPREPLY=($(compgen -W \"$subs\" -- \"$cur\"))\n        return\n    fi\n")
	b.WriteString("    case \"$key\" in\n")
	for _, sp := range specs {
		if len(sp.words) == 1 && len(subWords(sp.words[0])) > 0 {
			continue
		}
		fmt.Fprintf(&b, "    %q) flags=%q; scenario=%d ;;\n", strings.Join(sp.words, " "), bashFlags(sp), b2i(sp.scenario))
	}
	b.WriteString("    esac\n")
	b.WriteString("    case \"$key:$prev\" in\n")
	for _, sp := range specs {
		for _, f := range sp.flags {
			if len(f.values) == 0 {
				continue
			}
			k := strings.Join(sp.words, " ")
			pat := fmt.Sprintf("%q", k+":--"+f.long)
			if f.short != "" {
				pat += fmt.Sprintf("|%q", k+":-"+f.short)
			}
			fmt.Fprintf(&b, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\")); return ;;\n", pat, strings.Join(f.values, " "))
		}
	}
	b.WriteString("    esac\n")
	b.WriteString("    if [[ \"$cur\" == -* ]]; then\n        COMPREPLY=($(compgen -W \"$flags\" -- \"$cur\"))\n        return\n    fi\n")
	b.WriteString("    COMPREPLY=($(compgen -f -- \"$cur\"))\n")
	b.WriteString("    [ \"$scenario\" = 1 ] && COMPREPLY+=($(compgen -W \"$builtins\" -- \"$cur\"))\n")
	b.WriteString("    return 0\n}\ncomplete -o filenames -o bashdefault -F _shiftsim shiftsim\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func bashFlags(sp cmdSpec) string {
	var fl []string
	for _, f := range sp.flags {
		fl = append(fl, "--"+f.long)
		if f.short != "" {
			fl = append(fl, "-"+f.short)
		}
	}
	return strings.Join(fl, " ")
}

// zshQuote escapes a description for an _arguments or _describe spec.
func zshQuote(s string) string {
	r := strings.NewReplacer(`'`, `'\''`, `[`, `\[`, `]`, `\]`, `:`, `\:`)
	return r.Replace(s)
}

func writeZsh(w io.Writer, specs []cmdSpec) error {
	var b strings.Builder
	b.WriteString("#compdef shiftsim\n# zsh completion for shiftsim (shiftsim completion zsh)\n\n")
	fmt.Fprintf(&b, "_shiftsim_scenarios() {\n    _alternative 'builtin:built-in scenario:(%s)' 'files:file:_files'\n}\n\n", strings.Join(scenarios.Names(), " "))
	b.WriteString("_shiftsim() {\n    local -a cmds\n    cmds=(\n")
	for _, n := range commandNames() {
		fmt.Fprintf(&b, "        '%s:%s'\n", n, zshQuote(commands[n].summary))
	}
	b.WriteString("        'help:a command'\"'\"'s help'\n    )\n")
	b.WriteString("    if (( CURRENT == 2 )); then\n        _describe -t commands 'shiftsim command' cmds\n        return\n    fi\n")
	b.WriteString("    local cmd=$words[2]\n    shift words; (( CURRENT-- ))\n")
	b.WriteString("    case $cmd in\n")
	fmt.Fprintf(&b, "    help) _values 'command' %s ;;\n", strings.Join(commandNames(), " "))
	for _, sp := range specs {
		if len(sp.words) == 2 {
			continue
		}
		if subs := subWords(sp.words[0]); len(subs) > 0 && sp.words[0] != "completion" {
			fmt.Fprintf(&b, "    %s)\n        if (( CURRENT == 2 )); then _values 'kind' %s; return; fi\n        local sub=$words[2]; shift words; (( CURRENT-- ))\n        case $sub in\n", sp.words[0], strings.Join(subs, " "))
			for _, s2 := range specs {
				if len(s2.words) == 2 && s2.words[0] == sp.words[0] {
					fmt.Fprintf(&b, "        %s) _arguments -s %s ;;\n", s2.words[1], zshArgs(s2))
				}
			}
			b.WriteString("        esac ;;\n")
			continue
		}
		if sp.words[0] == "completion" {
			b.WriteString("    completion) _values 'shell' bash zsh fish ;;\n")
			continue
		}
		fmt.Fprintf(&b, "    %s) _arguments -s %s ;;\n", sp.words[0], zshArgs(sp))
	}
	b.WriteString("    esac\n}\n\nif [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n    _shiftsim \"$@\"\nelse\n    compdef _shiftsim shiftsim\nfi\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func zshArgs(sp cmdSpec) string {
	var a []string
	for _, f := range sp.flags {
		desc := "[" + zshQuote(f.usage) + "]"
		val := ""
		if f.value {
			val = ":" + zshQuote(f.long) + ":"
			if len(f.values) > 0 {
				val += "(" + strings.Join(f.values, " ") + ")"
			} else if strings.Contains(f.long, "file") || f.long == "out" || f.long == "into" || f.long == "journal" || f.long == "plots" {
				val += "_files"
			}
		}
		if f.short != "" {
			a = append(a, fmt.Sprintf("'(-%s --%s)'{-%s,--%s}'%s%s'", f.short, f.long, f.short, f.long, desc, val))
		} else {
			a = append(a, fmt.Sprintf("'--%s%s%s'", f.long, desc, val))
		}
	}
	if sp.scenario {
		a = append(a, "'*:scenario:_shiftsim_scenarios'")
	} else {
		a = append(a, "'*:file:_files'")
	}
	return strings.Join(a, " ")
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func writeFish(w io.Writer, specs []cmdSpec) error {
	var b strings.Builder
	b.WriteString("# fish completion for shiftsim (shiftsim completion fish)\ncomplete -c shiftsim -f\n")
	b.WriteString("complete -c shiftsim -n __fish_use_subcommand -l version -d 'print the version'\n")
	for _, n := range commandNames() {
		fmt.Fprintf(&b, "complete -c shiftsim -n __fish_use_subcommand -a %s -d %s\n", n, fishQuote(commands[n].summary))
	}
	fmt.Fprintf(&b, "complete -c shiftsim -n __fish_use_subcommand -a help -d %s\n", fishQuote("a command's help"))
	fmt.Fprintf(&b, "complete -c shiftsim -n '__fish_seen_subcommand_from help' -a %s\n", fishQuote(strings.Join(commandNames(), " ")))
	for _, sp := range specs {
		cond := "__fish_seen_subcommand_from " + sp.words[0]
		if subs := subWords(sp.words[0]); len(subs) > 0 && len(sp.words) == 1 {
			fmt.Fprintf(&b, "complete -c shiftsim -n %s -a %s\n", fishQuote(cond+"; and not __fish_seen_subcommand_from "+strings.Join(subs, " ")), fishQuote(strings.Join(subs, " ")))
			continue
		}
		if len(sp.words) == 2 {
			cond += "; and __fish_seen_subcommand_from " + sp.words[1]
		}
		for _, f := range sp.flags {
			line := "complete -c shiftsim -n " + fishQuote(cond) + " -l " + f.long
			if f.short != "" {
				line += " -s " + f.short
			}
			switch {
			case len(f.values) > 0:
				line += " -x -a " + fishQuote(strings.Join(f.values, " "))
			case f.value:
				line += " -r -F"
			}
			b.WriteString(line + " -d " + fishQuote(f.usage) + "\n")
		}
		args := " -F"
		if sp.scenario {
			args += " -a " + fishQuote(strings.Join(scenarios.Names(), " "))
		}
		fmt.Fprintf(&b, "complete -c shiftsim -n %s%s\n", fishQuote(cond), args)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
