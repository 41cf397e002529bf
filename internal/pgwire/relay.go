package pgwire

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// relay copies both directions until either side closes.
func (p *Proxy) relay(client net.Conn, clientIn *bufio.Reader, server net.Conn) {
	done := make(chan struct{}, 2)
	go func() {
		p.fromClient(server, clientIn)
		server.Close()
		done <- struct{}{}
	}()
	go func() {
		p.fromServer(client, server)
		client.Close()
		done <- struct{}{}
	}()
	<-done
	<-done
}

// fromClient forwards client messages byte for byte, reading their framing
// (type byte, int32 length) to count statements: every statement of a
// simple-protocol Query and every extended-protocol Execute.
func (p *Proxy) fromClient(server io.Writer, in *bufio.Reader) error {
	out := bufio.NewWriter(server)
	var hdr [5]byte
	for {
		// Flush before blocking, so nothing waits in our buffer while the
		// client waits for an answer.
		if in.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return err
			}
		}
		if _, err := io.ReadFull(in, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[1:])) - 4
		if n < 0 {
			return fmt.Errorf("client message %q with length %d", hdr[0], n+4)
		}
		if _, err := out.Write(hdr[:]); err != nil {
			return err
		}
		var body io.Writer = out
		var counter stmtCounter
		switch hdr[0] {
		case 'Q':
			body = io.MultiWriter(out, &counter)
		case 'E':
			p.statements.Add(1)
		}
		if _, err := io.CopyN(body, in, n); err != nil {
			return err
		}
		if hdr[0] == 'Q' {
			p.statements.Add(counter.Count())
		}
	}
}

// fromServer forwards server messages. Until the first ReadyForQuery it reads
// their framing to note the session's BackendKeyData (for cancel requests);
// after that it copies raw bytes.
func (p *Proxy) fromServer(client io.Writer, server io.Reader) error {
	in := bufio.NewReader(server)
	var hdr [5]byte
	for {
		if _, err := io.ReadFull(in, hdr[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint32(hdr[1:])) - 4
		if n < 0 {
			return fmt.Errorf("server message %q with length %d", hdr[0], n+4)
		}
		if _, err := client.Write(hdr[:]); err != nil {
			return err
		}
		switch hdr[0] {
		case 'K':
			// pid and secret key; the key is at most 256 bytes (protocol 3.2).
			if n > 4+256 {
				return fmt.Errorf("BackendKeyData of %d bytes", n)
			}
			key := make([]byte, n)
			if _, err := io.ReadFull(in, key); err != nil {
				return err
			}
			if _, err := client.Write(key); err != nil {
				return err
			}
			p.addKey(string(key))
			defer p.removeKey(string(key))
			continue
		case 'Z':
			if _, err := io.CopyN(client, in, n); err != nil {
				return err
			}
			_, err := io.Copy(client, in)
			return err
		}
		if _, err := io.CopyN(client, in, n); err != nil {
			return err
		}
	}
}
