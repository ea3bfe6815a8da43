// Package sipraw sends one SIP request outside any dialog over a plain
// socket and reads the final answer. Tests use it instead of a throwaway
// sipgo user agent, whose client transport can outlive its Close and trip
// goroutine-leak checks.
package sipraw

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	sipmsg "github.com/emiago/sipgo/sip"
)

// Timeout bounds the whole exchange; reaching it means the server is stuck.
const Timeout = 10 * time.Second

// Do sends a request of method to sip:user@addr over "udp" or "tcp" and
// returns the first final (non-1xx) response.
func Do(method, user, addr, transport string) (*sipmsg.Response, error) {
	conn, err := net.DialTimeout(transport, addr, Timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(Timeout)); err != nil {
		return nil, err
	}
	if _, err := conn.Write(Request(method, user, addr, conn.LocalAddr().String(), transport)); err != nil {
		return nil, err
	}
	read := readDatagram
	if transport == "tcp" {
		read = streamReader(conn)
	}
	for {
		data, err := read(conn)
		if err != nil {
			return nil, err
		}
		msg, err := sipmsg.ParseMessage(data)
		if err != nil {
			return nil, fmt.Errorf("unparseable answer %q: %w", data, err)
		}
		res, ok := msg.(*sipmsg.Response)
		if !ok {
			return nil, fmt.Errorf("answer is not a response: %q", data)
		}
		if !res.IsProvisional() {
			return res, nil
		}
	}
}

// Request is the text of a minimal out-of-dialog request.
func Request(method, user, addr, local, transport string) []byte {
	var b [6]byte
	_, _ = rand.Read(b[:])
	tag := hex.EncodeToString(b[:])
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s sip:%s@%s SIP/2.0\r\n", method, user, addr)
	fmt.Fprintf(&buf, "Via: SIP/2.0/%s %s;branch=z9hG4bK%s;rport\r\n", strings.ToUpper(transport), local, tag)
	fmt.Fprintf(&buf, "Max-Forwards: 70\r\nFrom: <sip:test@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\n", local, tag, user, addr)
	fmt.Fprintf(&buf, "Call-ID: %s@sipraw\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n", tag, method)
	return buf.Bytes()
}

func readDatagram(conn net.Conn) ([]byte, error) {
	b := make([]byte, 65535)
	n, err := conn.Read(b)
	return b[:n], err
}

// streamReader frames messages on a TCP stream by their Content-Length.
func streamReader(conn net.Conn) func(net.Conn) ([]byte, error) {
	br := bufio.NewReader(conn)
	return func(net.Conn) ([]byte, error) {
		var head bytes.Buffer
		length := 0
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return nil, err
			}
			head.WriteString(line)
			if line == "\r\n" {
				break
			}
			if k, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "Content-Length") || strings.TrimSpace(k) == "l") {
				length, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		body := make([]byte, length)
		if _, err := io.ReadFull(br, body); err != nil {
			return nil, err
		}
		return append(head.Bytes(), body...), nil
	}
}
