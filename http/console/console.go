// Package console serves the host console: a browser page that runs a
// meeting's participants panel against the API. Its files are embedded so a
// bare `confgw serve` offers it offline, with nothing fetched at run time.
package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/confgw/confgw/conference"
	"github.com/confgw/confgw/http/wire"
)

//go:embed assets
var assets embed.FS

// policy keeps the page to its own origin: no inline script, nothing from
// elsewhere, and no framing (the page holds a host's token).
const policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// types are fixed here rather than read from the machine's MIME database,
// which differs between hosts and would change what the page gets.
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

type file struct {
	body  []byte
	ctype string
	etag  string
}

// Console holds the embedded files, read once.
type Console struct {
	files map[string]file
}

// New reads the embedded assets.
func New() *Console {
	c := &Console{files: map[string]file{}}
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assets.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype, ok := types[path.Ext(p)]
		if !ok {
			ctype = "application/octet-stream"
		}
		c.files[path.Base(p)] = file{body: body, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		// The files are compiled in: failing to read them is a broken build.
		panic("console assets: " + err.Error())
	}
	return c
}

// Register serves the page at / and its files under /console/.
func (c *Console) Register(e *gin.Engine) {
	e.GET("/", c.index)
	e.GET("/console/:name", c.asset)
}

func headers(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", policy)
	h.Set("X-Content-Type-Options", "nosniff")
	// The page is opened with ?token=...: no referrer may carry it away.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

func (c *Console) index(g *gin.Context) {
	f := c.files["index.html"]
	headers(g.Writer)
	// The page is tiny and names its scripts; always fetching it keeps a
	// browser from pairing an old page with a new server.
	g.Header("Cache-Control", "no-store")
	g.Data(http.StatusOK, f.ctype, f.body)
}

func (c *Console) asset(g *gin.Context) {
	name := g.Param("name")
	f, ok := c.files[name]
	if !ok || name == "index.html" {
		// Same shape as the API's errors, so clients read one format.
		g.AbortWithStatusJSON(http.StatusNotFound, wire.ErrorBody{Error: wire.ErrorDetail{Code: conference.CodeNotFound, Message: "no console file " + name}})
		return
	}
	headers(g.Writer)
	g.Header("Cache-Control", "no-cache")
	g.Header("ETag", f.etag)
	g.Header("Content-Type", f.ctype)
	http.ServeContent(g.Writer, g.Request, name, time.Time{}, bytes.NewReader(f.body))
}
