package extract

import (
	"bytes"

	"golang.org/x/net/html"
)

// tokens fills p from the token stream of body, for pages html.Parse
// rejects. It keeps the walk's rules: hidden elements contribute no text,
// inline tags are bounds and other tags separators, and elements a reader
// wants are queued (as lone nodes, with a JSON-LD script's text as their
// child). Without a tree an element's range in the text is empty.
func (p *page) tokens(body []byte) {
	z := html.NewTokenizer(bytes.NewReader(body))
	hidden := 0           // depth inside hidden elements such as template
	var script *html.Node // a queued script waiting for its text
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return
		case html.TextToken:
			tok := z.Token()
			if script != nil {
				script.AppendChild(&html.Node{Type: html.TextNode, Data: tok.Data})
			}
			if hidden == 0 {
				p.appendText(tok.Data, true)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tok := z.Token()
			script = nil
			if hiddenElements[tok.Data] && tt != html.SelfClosingTagToken {
				if tt == html.EndTagToken {
					hidden = max(0, hidden-1)
				} else {
					hidden++
				}
			}
			if tt != html.EndTagToken {
				n := &html.Node{Type: html.ElementNode, Data: tok.Data, DataAtom: tok.DataAtom, Attr: tok.Attr}
				if matches(n) {
					p.elements = append(p.elements, element{n: n, start: len(p.buf), end: len(p.buf)})
					if tok.Data == "script" && tt == html.StartTagToken {
						script = n
					}
				}
			}
			if hidden == 0 {
				p.separate(inlineElements[tok.Data])
			}
		}
	}
}
