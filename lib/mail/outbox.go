package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Deliverer sends one built message. Implementations: *Outbox (development)
// and *SMTPSender.
type Deliverer interface {
	// Deliver sends m and returns where it went ("outbox:DIR/NAME.eml",
	// "smtp://host:587"), for the sent-log. The error says whether it was
	// permanent; implementations retry what is worth retrying themselves.
	Deliver(ctx context.Context, m *Message) (via string, err error)
	Close() error
}

// Outbox writes each message as DIR/<statement id>.eml, the development
// stand-in for SMTP: open the files in a mail client or parse them in tests.
type Outbox struct {
	dir string
}

// NewOutbox creates dir if needed.
func NewOutbox(dir string) (*Outbox, error) {
	if dir == "" {
		return nil, fmt.Errorf("outbox directory is empty")
	}
	// Private: draft e-mails carry PI link tokens (credentials). A
	// folder that exists keeps the mode its owner gave it.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create outbox: %w", err)
	}
	return &Outbox{dir: dir}, nil
}

// Path is where m goes. The name comes from the sanitised statement id only
// (never from a PI name, project or other tag value), so it cannot contain
// a path separator or climb out of the outbox.
func (o *Outbox) Path(m *Message) string {
	return filepath.Join(o.dir, m.FileName+".eml")
}

// Deliver writes the message to a temporary file, syncs it and renames it
// into place, so the outbox never holds half a message.
func (o *Outbox) Deliver(_ context.Context, m *Message) (string, error) {
	path := o.Path(m)
	tmp, err := os.CreateTemp(o.dir, ".tmp-"+m.FileName+"-*")
	if err != nil {
		return "", fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := m.Msg.WriteTo(tmp); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	// The file keeps CreateTemp's 0600 (less under a stricter umask):
	// a draft's PI link is a credential, for the owner's eyes only.
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	// Make the rename durable before the sent-log says "sent".
	if d, err := os.Open(o.dir); err == nil {
		serr := d.Sync()
		d.Close()
		if serr != nil {
			return "", fmt.Errorf("sync outbox %s: %w", o.dir, serr)
		}
	}
	return "outbox:" + path, nil
}

// Close does nothing; an outbox holds no connection.
func (o *Outbox) Close() error { return nil }
