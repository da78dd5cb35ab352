package main

import (
	"io"

	"github.com/shiftsim/shiftsim/scenario"
)

func init() {
	register("schema", "print the JSON Schema of a scenario file, for editors' completion and checking (docs/scenario.md)", cmdSchema)
}

func cmdSchema(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("schema", "", "Prints a JSON Schema (draft 2020-12) of the scenario file, generated from the loader's own keys,\ntypes and bounds, like docs/scenario.md. Point an editor's YAML language server at it, e.g.\n# yaml-language-server: $schema=scenario.schema.json", stdout)
	outFile := outFlag(fs)
	if err := parseFlags(fs, args, stdout); err != nil {
		return err
	}
	if len(fs.Args()) != 0 {
		return inputErrf("schema takes no arguments")
	}
	return writeOut(*outFile, scenario.JSONSchema(), stdout)
}
