package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/openchargeback/ocb/lib/ledger"
)

// importLedger is the ledger an import writes to. Only an import creates a
// ledger, and a failed first import must leave no ledger behind: when the
// ledger file does not exist yet, the import goes into a new file beside
// it that is published (hard-linked to the ledger's name, which fails
// rather than overwrite) only once an import has committed. Removed
// otherwise. On a server database the schema this run created is dropped
// again at Close if it still holds nothing (ledger.DropIfEmpty).
type importLedger struct {
	path    string
	tmp     string // the unpublished new ledger, "" once published or when it existed
	created bool   // a server ledger this run created: dropped at Close if still empty
	unlock  func() // while tmp is set: ends this run's turn at creating the ledger (lockCreation)
	l       *ledger.Ledger
}

func openImportLedger(path string) (*importLedger, error) {
	il := &importLedger{path: path}
	if ledger.IsPostgresDSN(path) {
		// A server database: nothing to publish (the schema is created by
		// the migration of this Open, and dropped at Close when no import
		// committed).
		l, err := ledger.Open(path)
		if err != nil {
			return nil, err
		}
		il.l, il.created = l, l.Created()
		return il, nil
	}
	_, err := os.Stat(path)
	switch {
	case err == nil:
		il.l, err = ledger.Open(path)
		return il, err
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	unlock, locked, err := lockCreation(filepath.Dir(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("create ledger %s: the folder %s does not exist: create it, or give the right --db / FOCUS_DB", path, filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("create ledger %s: %w", path, err)
	}
	if _, err := os.Stat(path); err == nil {
		// Created by the import that had the turn before this one.
		unlock()
		il.l, err = ledger.Open(path)
		return il, err
	}
	il.unlock = unlock
	if locked {
		// Whoever staged a new file of this ledger before held this lock
		// until it was published or removed: one still here is what a
		// killed import left.
		// (Its journal and WAL files share the prefix.)
		dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+".new-"
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), prefix) {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
	}
	var b [6]byte
	rand.Read(b[:])
	il.tmp = filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".new-"+hex.EncodeToString(b[:]))
	if il.l, err = ledger.OpenStaged(il.tmp); err != nil {
		removeLedgerFiles(il.tmp)
		unlock()
		return nil, fmt.Errorf("create ledger %s: %w", path, err)
	}
	return il, nil
}

// fresh reports whether the ledger is still the unpublished new file.
func (il *importLedger) fresh() bool { return il.tmp != "" }

// publish gives the new ledger its name after its first committed import.
// It reports false when another process created the ledger meanwhile
// (one that took no turn: lockCreation): then il is the existing ledger
// and the import must be made again there.
func (il *importLedger) publish() (bool, error) {
	if il.tmp == "" {
		return true, nil
	}
	// Staged with a rollback journal (ledger.OpenStaged): everything is in
	// the main file; from now on others may read it while it is written.
	if _, err := il.l.DB().Exec(`PRAGMA journal_mode = WAL`); err != nil {
		return false, fmt.Errorf("create ledger %s: %w", il.path, err)
	}
	il.l.Close()
	err := os.Link(il.tmp, il.path)
	removeLedgerFiles(il.tmp)
	il.tmp = ""
	il.unlock()
	published := err == nil
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("create ledger %s: %w", il.path, err)
	}
	il.l, err = ledger.Open(il.path)
	return published, err
}

// Close closes the ledger and removes an unpublished new one.
func (il *importLedger) Close() error {
	var err error
	if il.created {
		_, err = il.l.DropIfEmpty(context.Background())
	}
	err = errors.Join(err, il.l.Close())
	if il.tmp != "" {
		removeLedgerFiles(il.tmp)
		il.unlock()
	}
	return err
}

func removeLedgerFiles(path string) {
	for _, s := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + s)
	}
}

// rewinder returns what reads r again from the start once it has been
// read to the end: a regular file is rewound; a pipe cannot be, and nil
// is returned. Needed only when a first import into a new ledger must be
// made again (publish), which the turns of lockCreation make rare. (Piped
// input used to be copied to a file as it was read for this: 1.8 s of
// system time in the 1M-row month's validate | flag | load.)
func rewinder(r io.Reader) func() (io.Reader, error) {
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			return func() (io.Reader, error) { _, err := f.Seek(0, io.SeekStart); return f, err }
		}
	} else if rs, ok := r.(io.ReadSeeker); ok {
		return func() (io.Reader, error) { _, err := rs.Seek(0, io.SeekStart); return rs, err }
	}
	return nil
}
