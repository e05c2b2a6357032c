package ledger

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migration is one of a backend's schema migrations: the file
// NNNN_name.sql, applied in order (golang-migrate's naming).
type Migration struct {
	Version int    // NNNN
	Name    string // the file's name
	SQL     string
}

// ReadMigrations returns the migrations dir/NNNN_name.sql of fsys (a
// backend's embedded files) in order, refusing a gap or a misnamed file.
func ReadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, dir+"/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != len(out)+1 {
			return nil, fmt.Errorf("migration %s: want %04d_name.sql", base, len(out)+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(b)})
	}
	return out, nil
}
