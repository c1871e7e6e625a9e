// The seed's Gin server for the benchmark: the seed's loop, printing as the seed does ("Working... i",
// "Client has disconnected. Stopping task. i") with Gin's request logger, plus an in-memory ledger that
// speaks CancelDemo's contract (GET /requests/{id}), on HTTP/1.1, HTTP/2 over TLS and h2c.
// Usage: gin-peer --http1 PORT --https PORT --h2c PORT --cert PEM --key PEM
// Build (Debian's golang-go and golang-github-gin-gonic-gin-dev): GO111MODULE=off GOPATH=/usr/share/gocode go build -o gin-peer .
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
)

// stamp is a time written as ISO-8601 UTC with exactly six fractional digits.
type stamp time.Time

func (s stamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(s).UTC().Format("2006-01-02T15:04:05.000000Z") + `"`), nil
}

func now() *stamp { s := stamp(time.Now()); return &s }

type entry struct {
	ID              string `json:"id"`
	Protocol        string `json:"protocol"`
	StartedAt       *stamp `json:"startedAt"`
	EndedAt         *stamp `json:"endedAt"`
	Outcome         string `json:"outcome"`
	StatusCode      *int   `json:"statusCode"`
	AbortObservedAt *stamp `json:"abortObservedAt"`
	StoppedAt       *stamp `json:"stoppedAt"`
	ConnectionID    string `json:"connectionId"`
}

// observed keeps the earliest moment the app saw ctx.Done(): the watcher goroutine's or the loop's,
// whichever the scheduler ran first.
func (e *entry) observed(at *stamp) {
	if e.AbortObservedAt == nil || time.Time(*at).Before(time.Time(*e.AbortObservedAt)) {
		e.AbortObservedAt = at
	}
}

func (e *entry) end(at *stamp, outcome string, status int) {
	e.EndedAt, e.Outcome, e.StatusCode = at, outcome, &status
}

// ledger is id -> entry, in memory; every read and change holds the lock.
type ledger struct {
	mu      sync.Mutex
	entries map[string]*entry
}

func (l *ledger) start(e *entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries[e.ID] = e
}

func (l *ledger) update(id string, change func(e *entry)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[id]; ok {
		change(e)
	}
}

func (l *ledger) find(id string) (entry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[id]; ok {
		return *e, true
	}
	return entry{}, false
}

func queryInt(c *gin.Context, name string, fallback int) int {
	if v, err := strconv.Atoi(c.Query(name)); err == nil {
		return v
	}
	return fallback
}

func work(l *ledger) gin.HandlerFunc {
	return func(c *gin.Context) {
		iterations := queryInt(c, "iterations", 10)
		step := time.Duration(queryInt(c, "stepMs", 1000)) * time.Millisecond
		id := c.GetHeader("X-Request-Id")
		protocol := "HTTP/1.1"
		if c.Request.ProtoMajor == 2 {
			protocol = "HTTP/2"
		}
		l.start(&entry{ID: id, Protocol: protocol, StartedAt: now(), Outcome: "running", ConnectionID: c.Request.RemoteAddr})

		ctx := c.Request.Context()
		// Go 1.19 has no context.AfterFunc, so a goroutine waits for the end of the request's context.
		// net/http also ends the context once the handler has returned, so the goroutine never leaks;
		// an entry that completed is left alone.
		go func() {
			<-ctx.Done()
			at := now()
			l.update(id, func(e *entry) {
				if e.Outcome != "completed" {
					e.observed(at)
				}
			})
		}()

		// The seed's loop.
		for i := 0; i < iterations; i++ {
			select {
			case <-time.After(step):
				fmt.Println("Working...", i)
			case <-ctx.Done():
				fmt.Println("Client has disconnected. Stopping task.", i)
				at := now()
				l.update(id, func(e *entry) {
					e.observed(at)
					e.StoppedAt = at
					e.end(at, "clientAborted", 499)
				})
				c.JSON(499, gin.H{"error": "Client has disconnected"})
				return
			}
		}
		at := now()
		l.update(id, func(e *entry) { e.end(at, "completed", http.StatusOK) })
		c.JSON(http.StatusOK, gin.H{"status": "Task completed successfully"})
	}
}

func main() {
	http1 := flag.Int("http1", 0, "HTTP/1.1 port")
	https := flag.Int("https", 0, "TLS port: HTTP/2 and HTTP/1.1 by ALPN")
	h2cPort := flag.Int("h2c", 0, "cleartext HTTP/2 (prior knowledge) port")
	certFile := flag.String("cert", "", "certificate PEM")
	keyFile := flag.String("key", "", "private key PEM (PKCS#8)")
	flag.Parse()

	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}

	// gin.Default()'s middleware (the seed's request log and recovery), without debug mode's start-up chatter.
	gin.SetMode(gin.ReleaseMode)
	router := gin.New()
	router.Use(gin.Logger(), gin.Recovery())
	l := &ledger{entries: make(map[string]*entry)}
	router.GET("/http1", work(l))
	router.GET("/http2", work(l))
	router.GET("/requests/:id", func(c *gin.Context) {
		if e, ok := l.find(c.Param("id")); ok {
			c.JSON(http.StatusOK, e)
			return
		}
		c.Status(http.StatusNotFound)
	})
	router.GET("/healthz", func(c *gin.Context) { c.Status(http.StatusOK) })

	listen := func(port int) net.Listener {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			log.Fatal(err)
		}
		return ln
	}
	plain, secure, cleartext := listen(*http1), listen(*https), listen(*h2cPort)

	// ServeTLS turns on HTTP/2 by itself: ALPN offers h2, then http/1.1.
	tlsServer := &http.Server{Handler: router, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}}
	h2cServer := &http.Server{Handler: h2c.NewHandler(router, &http2.Server{})}
	go func() { log.Fatal((&http.Server{Handler: router}).Serve(plain)) }()
	go func() { log.Fatal(tlsServer.ServeTLS(secure, "", "")) }()
	go func() { log.Fatal(h2cServer.Serve(cleartext)) }()
	fmt.Println("listening")
	select {}
}
