package web

import (
	"log"
	"net/http"
	"time"
)

// Timeouts of the HTTP server (HTTPServer). A client must send its
// headers within readHeaderTimeout and its whole request within
// Config.ReadTimeout, so slow bodies (a slowloris on /login) cannot hold
// connections open; the one upload route, reached only by a signed-in
// admin, gets uploadReadTimeout for its large body. There is no write
// timeout: a statement zip or a year's CSV may take long to stream, and a
// slow reader only holds its own connection.
const (
	readHeaderTimeout  = 10 * time.Second
	DefaultReadTimeout = 60 * time.Second
	uploadReadTimeout  = time.Hour
	idleTimeout        = 2 * time.Minute // keep-alive connections between requests
)

// HTTPServer returns the http.Server to run s with, timeouts set.
func (s *Server) HTTPServer(errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          errorLog,
	}
}

// longRead lets a handler read a large body past the server's
// ReadTimeout.
func longRead(w http.ResponseWriter, d time.Duration) {
	// An error means the connection cannot change its deadline (HTTP/2
	// under a test recorder); the server's timeout then stands.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
}
