// Command paygate is paygate's command line: a standalone sandbox of any provider's API for
// teams that do not write Go, a signer and verifier of provider signatures for debugging an
// integration, and pay-ins, pay-outs, queries and balance reads from a config file.
//
// Run "paygate help" for the commands, and "paygate help COMMAND" for one command's flags.
// Exit status: 0 success, 1 the operation failed, 2 usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // the operation failed (an error, an invalid signature)
	exitUsage  = 2 // bad flags, unknown command
)

// run executes the command line args (without the program name) and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdin: os.Stdin, stdout: stdout, stderr: stderr}
	return c.run(context.Background(), args)
}

// cli is one invocation's input and outputs.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	name     string
	synopsis string // the flags, after "paygate NAME "
	summary  string // one line
	example  string
	about    string // more text for "paygate help NAME", may be empty
	// setup declares the command's flags and returns the function that runs it with the
	// positional arguments once the flags are parsed.
	setup func(fs *flag.FlagSet) func(ctx context.Context, c *cli, args []string) error
}

// commands in the order the usage lists them; filled by init to break the initialization
// cycle through the help command.
var commands []*command

func init() {
	commands = []*command{sandboxCmd, signCmd, verifyCmd, payinCmd, payoutCmd, queryCmd, balanceCmd}
}

func lookup(name string) *command {
	for _, cmd := range commands {
		if cmd.name == name {
			return cmd
		}
	}
	return nil
}

func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprintf(c.stderr, "paygate: no command given\nrun `paygate help` for the commands\n")
		return exitUsage
	}
	who, name, rest := "paygate", args[0], args[1:]
	switch {
	case args[0] == "help" && len(args) > 1 && args[1] == "config":
		configHelp(c.stdout)
		return exitOK
	case args[0] == "help" && len(args) > 1:
		// "paygate help NAME" prints NAME's usage, as "paygate NAME -help" does.
		who, name, rest = "paygate help", args[1], []string{"-help"}
	case slices.Contains([]string{"help", "-h", "-help", "--help"}, args[0]):
		usage(c.stdout)
		return exitOK
	}
	cmd := lookup(name)
	if cmd == nil {
		fmt.Fprintf(c.stderr, "%s: unknown command %q%s\nrun `paygate help` for the commands\n", who, name, didYouMean(name))
		return exitUsage
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and usage are printed below, to the right stream
	fs.Usage = func() {}
	do := cmd.setup(fs)
	positional, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		cmd.usage(c.stdout, fs)
		return exitOK
	}
	if err != nil {
		return cmd.usageError(c.stderr, err.Error())
	}
	err = do(ctx, c, positional)
	var ue *usageError
	var status exitStatus
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &status):
		return int(status)
	case errors.As(err, &ue):
		return cmd.usageError(c.stderr, ue.msg)
	}
	// The library's errors begin with "paygate: " too; say it once, on every line (a config
	// file's problems are reported one per line).
	for _, l := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(c.stderr, "paygate %s: %s\n", cmd.name, strings.TrimPrefix(l, "paygate: "))
	}
	return exitFailed
}

// usageError prints a mistake on the command line in one line, and where to read more.
func (cmd *command) usageError(w io.Writer, msg string) int {
	fmt.Fprintf(w, "paygate %s: %s\nrun `paygate help %s` for its flags\n", cmd.name, msg, cmd.name)
	return exitUsage
}

// didYouMean is "; did you mean \"query\"?" for the command nearest to name, or "".
func didYouMean(name string) string {
	best, bestD := "", 3
	for _, cmd := range commands {
		if d := editDistance(name, cmd.name); d < bestD && 2*d < len(cmd.name) {
			best, bestD = cmd.name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// untilInterrupted returns a copy of ctx that is also cancelled by SIGINT or SIGTERM, the
// signals that stop a command, and the function that stops listening for them.
func untilInterrupted(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// parseInterleaved parses flags that may come before, between or after positional arguments
// ("paygate sign appid=x --provider cashgit"); everything after "--" is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError is a mistake on the command line found after parsing: exit 2 with the usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitStatus ends a command whose outcome is already printed, with that status.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString(`paygate: payment aggregators (caipay, deekpay, paypro, cashgit, cashy) behind one interface.

Usage:
  paygate COMMAND [flags] [arguments]

Commands:
`)
	for _, cmd := range commands {
		fmt.Fprintf(&b, "  %-8s %s\n           %s\n", cmd.name, cmd.summary, cmd.example)
	}
	b.WriteString(`  help     print this text, one command's flags, or the config file's keys and options
           paygate help payin; paygate help config

Config files (--config) are JSON (*.json) or YAML with the keys provider, base_url,
merchant_id, api_key, secret, timeout and options; ${NAME} is replaced by the environment
variable NAME, so secrets stay out of the file ("paygate help config" says more):

  provider: cashgit
  base_url: https://test.cashgit.com
  merchant_id: cgpay
  secret: ${CASHGIT_SECRET}

Exit status: 0 success, 1 the operation failed (or the signature is invalid), 2 usage error.
`)
	_, _ = io.WriteString(w, b.String())
}

// usage prints one command's synopsis, text, example and flags.
func (cmd *command) usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: paygate %s %s\n\n%s\n", cmd.name, cmd.synopsis, cmd.summary)
	if cmd.about != "" {
		fmt.Fprintf(w, "\n%s", cmd.about)
	}
	fmt.Fprintf(w, "\nExample:\n  %s\n\nFlags:\n", cmd.example)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
