package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
)

// boxHosts is the box's /etc/hosts. Besides localhost it names the database
// the way docker-compose files and .env files do (a service called db,
// postgres or database): each resolves to the box's IPv4 loopback only, where
// the grading database's forward listens (localhost has no ::1 address, which
// a client would try first and find nothing on). The host's own /etc/hosts
// stays out.
const boxHosts = "127.0.0.1\tlocalhost box db postgres database\n::1\tip6-localhost ip6-loopback\n"

// writeHosts writes the hosts file the box sees.
func (b *Box) writeHosts() error {
	if err := os.WriteFile(filepath.Join(b.work, "hosts"), []byte(boxHosts), 0o644); err != nil {
		return fmt.Errorf("write hosts: %w", err)
	}
	return nil
}
