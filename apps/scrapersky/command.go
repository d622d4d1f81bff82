package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// errUsage marks a command line the program cannot run; main prints the
// problem and exits 2.
var errUsage = errors.New("usage")

// errHelpShown ends a command whose help was asked for: run turns it into
// success, so `--help` does nothing but print.
var errHelpShown = errors.New("help shown")

// usageError names what is wrong with a command line. It matches errUsage
// with errors.Is.
type usageError struct {
	cmd string // "crawl", "apikey create"; "" for the top level
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.msg
	}
	return e.cmd + ": " + e.msg
}

// Is makes errors.Is(err, errUsage) true.
func (e *usageError) Is(target error) bool { return target == errUsage }

// misuse returns a usageError for cmd.
func misuse(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// helpHint is what main prints under a usage error.
func helpHint(err error) string {
	var ue *usageError
	if errors.As(err, &ue) && ue.cmd != "" {
		return "Run 'scrapersky " + ue.cmd + " --help' for usage."
	}
	return "Run 'scrapersky --help' for usage."
}

// flags is one command's flag set with the text of its help.
type flags struct {
	*flag.FlagSet
	cmd      string // "crawl", "apikey create"
	synopsis string // what follows the command name in the usage line
	about    string // paragraphs printed under the usage line
}

// newFlags returns an empty flag set for cmd. Its own output is discarded:
// parse reports problems as usage errors and prints help itself.
func newFlags(cmd, synopsis, about string) *flags {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{FlagSet: fs, cmd: cmd, synopsis: synopsis, about: about}
}

// parse parses args, flags and positional arguments in any order ("--"
// ends the flags). -h, -help and --help anywhere print the help on out and
// return errHelpShown; anything the flag set does not know is a usage
// error. It returns the positional arguments.
func (f *flags) parse(args []string, out io.Writer) ([]string, error) {
	var pos []string
	for {
		err := f.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			f.printHelp(out)
			return nil, errHelpShown
		}
		if err != nil {
			return nil, (&usageError{cmd: f.cmd}).withFlagText(err)
		}
		rest := f.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// withFlagText rewrites the flag package's messages into ones that name the
// command's syntax ("unknown flag --x").
func (e *usageError) withFlagText(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = "unknown flag --" + strings.TrimPrefix(name, "-")
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		msg = "flag --" + strings.TrimPrefix(name, "-") + " needs a value"
	} else if strings.HasPrefix(msg, "invalid value ") || strings.HasPrefix(msg, "invalid boolean value ") {
		msg = strings.Replace(msg, " for flag -", " for flag --", 1)
	}
	e.msg = msg
	return e
}

// printHelp writes the usage line, the description and the flags.
func (f *flags) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: scrapersky %s\n", strings.TrimSpace(f.cmd+" "+f.synopsis))
	if f.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(f.about, "\n"))
	}
	var b strings.Builder
	f.VisitAll(func(fl *flag.Flag) {
		name, usage := flag.UnquoteUsage(fl)
		dash := "--"
		if len(fl.Name) == 1 {
			dash = "-"
		}
		head := "  " + dash + fl.Name
		if name != "" {
			head += " " + name
		}
		fmt.Fprintf(&b, "%-28s %s", head, usage)
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", fl.DefValue)
		}
		b.WriteString("\n")
	})
	b.WriteString(fmt.Sprintf("%-28s %s\n", "  -h, --help", "print this help and exit"))
	fmt.Fprintf(w, "\nflags:\n%s", b.String())
}

// version describes the build from the binary's embedded build info: the
// module version, the VCS revision and time when the binary was built from a
// checkout, and the Go version.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "scrapersky (no build information)"
	}
	return versionOf(info)
}

// versionOf formats info; split out of version for tests.
func versionOf(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	rev := settings["vcs.revision"]
	if rev == "" {
		rev = "unknown"
	}
	if settings["vcs.modified"] == "true" {
		rev += "-dirty"
	}
	out := fmt.Sprintf("scrapersky %s\nrevision: %s\n", v, rev)
	if t := settings["vcs.time"]; t != "" {
		out += "committed: " + t + "\n"
	}
	return out + "go: " + info.GoVersion + "\n"
}
