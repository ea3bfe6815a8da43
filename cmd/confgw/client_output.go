package main

import (
	"bytes"
	"fmt"
	"io"
	"text/tabwriter"
)

func (f *clientFlags) wantsJSON() (bool, error) {
	switch f.output {
	case "table":
		return false, nil
	case "json":
		return true, nil
	}
	return false, fmt.Errorf("--output %q: want table or json", f.output)
}

// show prints an answer: with -o json the body exactly as the API sent it,
// so scripts see the API's own fields; otherwise view's table.
func show[T any](c *call, v T, raw []byte, err error, view func(io.Writer, T)) error {
	if err != nil {
		return err
	}
	if c.json {
		return c.printRaw(raw)
	}
	tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
	view(tw, v)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// done reports a change the API answers with no body: -o json then prints
// nothing, as the API said nothing.
func (c *call) done(err error, format string, args ...any) error {
	if err != nil || c.json {
		return err
	}
	if _, err := fmt.Fprintf(c.out, format+"\n", args...); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func (c *call) printRaw(raw []byte) error {
	raw = bytes.TrimRight(raw, "\n")
	if _, err := fmt.Fprintf(c.out, "%s\n", raw); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}
