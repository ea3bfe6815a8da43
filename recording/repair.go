package recording

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// openChecked opens the file of a recording that is not running, for
// reading, after making sure it is well-formed. A file a crash left with
// its header behind its length, or cut mid-sample, is repaired first: its
// header is made to describe the whole samples it holds. A file that is
// not a recording's gives errMalformed.
func (s *Store) openChecked(name string) (*os.File, fs.FileInfo, error) {
	f, err := s.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	fi, ok, err := check(f)
	if err == nil && !ok {
		err = s.repair(name)
		if err == nil {
			// Same file, repaired: its handle sees the new length.
			fi, ok, err = check(f)
			if err == nil && !ok {
				err = errMalformed
			}
		}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// check reads f's header and size; ok says they agree.
func check(f *os.File) (fs.FileInfo, bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, errMalformed
	}
	var h [headerSize]byte
	n, err := f.ReadAt(h[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, false, err
	}
	if int64(n) < min(fi.Size(), headerSize) {
		// Shrunk between Stat and ReadAt: not a file at rest.
		return nil, false, errMalformed
	}
	ok, err := inspect(h[:n], fi.Size())
	return fi, ok, err
}

// repair rewrites the header of a recording a crash left behind and trims
// a sample the crash cut in half. Repairs are serialised so that two
// readers finding the same damage fix and report it once.
func (s *Store) repair(name string) error {
	s.repairMu.Lock()
	defer s.repairMu.Unlock()
	f, err := s.root.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, ok, err := check(f)
	if err != nil || ok {
		return err
	}
	data := wholeData(fi.Size())
	var before [headerSize]byte
	_, _ = f.ReadAt(before[:], 0)
	if err := f.Truncate(headerSize + data); err != nil {
		return fmt.Errorf("recording: repair: %w", err)
	}
	h := header(uint32(data))
	if _, err := f.WriteAt(h[:], 0); err != nil {
		return fmt.Errorf("recording: repair: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("recording: repair: %w", err)
	}
	s.log.Warn("recording repaired: its header was behind its audio, as a crash leaves it",
		"file", name, "bytes_before", fi.Size(), "bytes", headerSize+data,
		"header_data_before", binary.LittleEndian.Uint32(before[40:44]), "data", data)
	return nil
}
