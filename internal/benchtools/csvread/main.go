// Command csvread is the baseline of scripts/bench.d/10-validate.sh: a bare
// encoding/csv read of stdin (ReuseRecord, field count unchecked), counting
// rows. focus-validate must stay within 2× its time on the same file.
package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
)

func main() {
	r := csv.NewReader(bufio.NewReaderSize(os.Stdin, 256<<10))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	rows := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "csvread:", err)
			os.Exit(2)
		}
		rows++
	}
	fmt.Println(rows - 1) // data rows, without the header
}
