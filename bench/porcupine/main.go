// porcupine_check: checks a history file with Porcupine, for
// bench/checker_grid.sh to compare against `lockstep check`. Reads the two
// formats the grid writes: a Jepsen register log (read/write) and EDN kv
// lines (get/put/append). An operation whose outcome is unknown (:info, or
// never completed) returns after everything else and accepts any output, as
// in lockstep. Prints "<verdict> <seconds>".
package main

import (
	"bufio"
	"flag"
	"hash/fnv"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

type input struct {
	op         string // read write get put append
	key, value string
}

type output struct {
	value   string
	unknown bool
}

var edn = regexp.MustCompile(`:process (\d+), :type :(\w+), :f :(\w+), :key "([^"]*)", :value (nil|"[^"]*")`)

func parse(path string) []porcupine.Operation {
	f, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer f.Close()
	var ops []porcupine.Operation
	open := map[int]int{}
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	var t int64
	for scanner.Scan() {
		line := scanner.Text()
		var process int
		var kind, fn, key, value string
		if m := edn.FindStringSubmatch(line); m != nil {
			process, _ = strconv.Atoi(m[1])
			kind, fn, key, value = m[2], m[3], m[4], strings.Trim(m[5], `"`)
			if m[5] == "nil" {
				value = ""
			}
		} else if i := strings.Index(line, "jepsen.util - "); i >= 0 {
			fields := strings.Fields(line[i+len("jepsen.util - "):])
			if len(fields) < 4 {
				continue
			}
			process, _ = strconv.Atoi(fields[0])
			kind, fn, value = strings.TrimPrefix(fields[1], ":"), strings.TrimPrefix(fields[2], ":"), fields[3]
		} else {
			continue
		}
		t++
		switch kind {
		case "invoke":
			open[process] = len(ops)
			ops = append(ops, porcupine.Operation{ClientId: process, Input: input{fn, key, value}, Call: t, Return: -1})
		case "ok":
			k := open[process]
			delete(open, process)
			ops[k].Return = t
			ops[k].Output = output{value: value}
		case "info":
			delete(open, process)
		case "fail":
			k := open[process]
			delete(open, process)
			ops[k].Return = -2 // took no effect
		}
	}
	kept := ops[:0]
	for _, op := range ops {
		switch op.Return {
		case -2:
			continue
		case -1:
			op.Return = t + 1
			op.Output = output{unknown: true}
		}
		kept = append(kept, op)
	}
	return kept
}

var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var keys []string
		for _, op := range history {
			k := op.Input.(input).key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		var parts [][]porcupine.Operation
		for _, k := range keys {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() interface{} { return "" },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		s, i, o := state.(string), in.(input), out.(output)
		switch i.op {
		case "read", "get":
			v := o.value
			if v == "nil" {
				v = ""
			}
			return o.unknown || v == s, s
		case "append":
			return true, s + i.value
		default: // write, put
			return true, i.value
		}
	},
	Equal: func(a, b interface{}) bool { return a.(string) == b.(string) },
	Hash: func(state interface{}) uint64 {
		h := fnv.New64a()
		h.Write([]byte(state.(string)))
		return h.Sum64()
	},
}

func main() {
	timeout := flag.Duration("timeout", 0, "give up after this long (0: never)")
	flag.Parse()
	ops := parse(flag.Arg(0))
	start := time.Now()
	res := porcupine.CheckOperationsTimeout(model, ops, *timeout)
	fmt.Printf("%s %.3f\n", res, time.Since(start).Seconds())
}
