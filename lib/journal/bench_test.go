package journal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/openchargeback/ocb/lib/statement"
)

// benchInputs is 500 statements of 10 lines: 5,000 postings, a
// 10,000-line journal.
func benchInputs() []Input {
	svcs := [][2]string{{"HPC", "HPC Compute"}, {"HPC", "HPC GPU"}, {"Storage", "Research Storage"},
		{"AWS", "Amazon EC2"}, {"AWS", "Amazon S3"}, {"AWS", "Amazon SageMaker"},
		{"Azure", "Virtual Machines"}, {"Azure", "Storage Accounts"}, {"AWS", "Amazon EC2"}, {"HPC", "HPC GPU"}}
	var sts []statement.Statement
	for i := 0; i < 500; i++ {
		var ls []statement.Line
		for k, s := range svcs {
			l := line(s[0], s[1], fmt.Sprintf("FUND-%03d", i%60), fmt.Sprintf("%d.%02d", 10+i+k, (i*7+k)%100))
			l.Ref1 = "NSF-2401234"
			ls = append(ls, l)
		}
		st := stmt(fmt.Sprintf("2025-01-%04d", i+1), statement.StatusFinal, ls)
		st.PI.Name = fmt.Sprintf("PI Number %d", i)
		sts = append(sts, st)
	}
	return inputs(sts...)
}

func BenchmarkBuild10kLines(b *testing.B) {
	in := benchInputs()
	a := sampleAccounts(b)
	b.ReportAllocs()
	for b.Loop() {
		j, err := Build(in, a, Options{})
		if err != nil || len(j.Lines) != 10000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender10kLines(b *testing.B) {
	j, err := Build(benchInputs(), sampleAccounts(b), Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range Formats() {
		b.Run(f, func(b *testing.B) {
			src, _ := BuiltinTemplate(f)
			tm, err := ParseTemplate(f, src)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				out, err := Render(tm, j)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}

func BenchmarkReadStatements500(b *testing.B) {
	var buf bytes.Buffer
	for _, in := range benchInputs() {
		line, _ := json.Marshal(in.Statement)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		in, err := ReadStatements(bytes.NewReader(data), "bench")
		if err != nil || len(in) != 500 {
			b.Fatal(err)
		}
	}
}
