/*
 * svg.c - an interactive flame graph, as SVG, of collapsed stacks
 * (flame.h): one <rect> and <text> per frame in a <g> whose <title> the
 * browser shows on hover, and a small script that zooms on the frame
 * clicked (its ancestors across the width, its descendants scaled, the
 * rest hidden) and back on "Reset Zoom". In the manner of Brendan Gregg's
 * flamegraph.pl, written for ior.
 *
 * The stacks come sorted by their frames, so the stacks that share a
 * frame are next to each other: walking them once, a frame opens where a
 * stack's frames first differ from the previous one's and closes where
 * a later one's differ, its width the sum of the weights in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ior.h"
#include "flame.h"
#include "options.h"

#define WIDTH 1200
#define PAD 10		/* left and right */
#define FRAME_H 16
#define TOP 40		/* room for the title */
#define BOTTOM 30	/* room for the details line */
#define DEPTH_MAX 64	/* process, call, directory, file, and more to spare */
#define MIN_PX 0.1	/* narrower frames are left out, as flamegraph.pl does */

static const char script[] =
	"var frames, total, W;\n"
	"function init(evt) {\n"
	"  var svg = document.documentElement;\n"
	"  frames = document.getElementsByClassName('frame');\n"
	"  total = +svg.getAttribute('data-total');\n"
	"  W = +svg.getAttribute('width') - 2 * PAD;\n"
	"}\n"
	"function fit(g, x, w) {\n"
	"  var r = g.getElementsByTagName('rect')[0];\n"
	"  var t = g.getElementsByTagName('text')[0];\n"
	"  var name = g.getAttribute('data-name'), n = Math.floor((w - 6) / 7);\n"
	"  r.setAttribute('x', x.toFixed(2));\n"
	"  r.setAttribute('width', w.toFixed(2));\n"
	"  t.setAttribute('x', (x + 3).toFixed(2));\n"
	"  t.textContent = n < 3 ? '' : name.length <= n ? name :\n"
	"    name.substring(0, n - 2) + '..';\n"
	"}\n"
	"function zoom(z) {\n"
	"  var zx = +z.getAttribute('data-x'), zw = +z.getAttribute('data-w');\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var g = frames[i], x = +g.getAttribute('data-x'),\n"
	"      w = +g.getAttribute('data-w');\n"
	"    if (x + w <= zx || x >= zx + zw) {\n"
	"      g.style.display = 'none';\n"
	"      continue;\n"
	"    }\n"
	"    var a = Math.max(x, zx), b = Math.min(x + w, zx + zw);\n"
	"    g.style.display = '';\n"
	"    fit(g, PAD + (a - zx) / zw * W, (b - a) / zw * W);\n"
	"  }\n"
	"  document.getElementById('unzoom').style.opacity = 1;\n"
	"}\n"
	"function unzoom() {\n"
	"  for (var i = 0; i < frames.length; i++) {\n"
	"    var g = frames[i];\n"
	"    g.style.display = '';\n"
	"    fit(g, PAD + g.getAttribute('data-x') / total * W,\n"
	"      g.getAttribute('data-w') / total * W);\n"
	"  }\n"
	"  document.getElementById('unzoom').style.opacity = 0;\n"
	"}\n"
	"function show(g) {\n"
	"  document.getElementById('details').textContent =\n"
	"    g.getElementsByTagName('title')[0].textContent;\n"
	"}\n"
	"function hide() {\n"
	"  document.getElementById('details').textContent = ' ';\n"
	"}\n";

/* s[0..n) with & < > " ' as XML entities. */
static void put_xml(struct ior_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': ior_puts(o, "&amp;"); break;
		case '<': ior_puts(o, "&lt;"); break;
		case '>': ior_puts(o, "&gt;"); break;
		case '"': ior_puts(o, "&quot;"); break;
		case '\'': ior_puts(o, "&apos;"); break;
		default: ior_putc(o, s[i]);
		}
	}
}

/* A warm colour from the frame's name, the same for the same name. */
static void colour(const char *name, size_t n, int *r, int *g, int *b)
{
	uint64_t h = ior_hash(name, n);

	*r = 205 + (int)(h % 51);
	*g = (int)((h >> 8) % 231);
	*b = (int)((h >> 16) % 56);
}

static const char *unit(void)
{
	return opt.weight == WEIGHT_TIME ? "ns" :
	       opt.weight == WEIGHT_BYTES ? "bytes" : "calls";
}

/* One frame: name[0..n) at depth d, from weight x, w wide. */
static void frame(struct ior_out *o, const char *name, size_t n, int d,
		  double x, double w, double total, int height)
{
	double px = PAD + x / total * (WIDTH - 2 * PAD);
	double pw = w / total * (WIDTH - 2 * PAD);
	int y = height - BOTTOM - (d + 1) * FRAME_H, r, g, b;
	size_t fit = pw > 6 ? (size_t)((pw - 6) / 7) : 0;

	if (pw < MIN_PX)
		return;
	colour(name, n, &r, &g, &b);
	ior_printf(o, "<g class=\"frame\" data-x=\"%.0f\" data-w=\"%.0f\" data-name=\"",
		   x, w);
	put_xml(o, name, n);
	ior_puts(o, "\" onclick=\"zoom(this)\" onmouseover=\"show(this)\" onmouseout=\"hide()\"><title>");
	put_xml(o, name, n);
	ior_printf(o, " (%.0f %s, %.2f%%)</title>", w, unit(), 100 * w / total);
	ior_printf(o, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"rgb(%d,%d,%d)\" rx=\"2\" ry=\"2\"/>",
		   px, y, pw, FRAME_H - 1, r, g, b);
	ior_printf(o, "<text x=\"%.2f\" y=\"%d\">", px + 3, y + FRAME_H - 4);
	if (fit >= 3)
		put_xml(o, name, n <= fit ? n : fit - 2);
	if (fit >= 3 && n > fit)
		ior_puts(o, "..");
	ior_puts(o, "</text></g>\n");
}

/* Frame k of s: its start in s, its length; 0 when s has fewer frames. */
static int nth_frame(const char *s, int k, const char **start, size_t *len)
{
	for (; k > 0; k--) {
		s = strchr(s, ';');
		if (!s)
			return 0;
		s++;
	}
	*start = s;
	*len = strcspn(s, ";");
	return 1;
}

static int depth_of(const char *s)
{
	int d = 1;

	while ((s = strchr(s, ';'))) {
		s++;
		d++;
	}
	return d;
}

void svg_write(struct ior_out *o, struct stack *const *s, size_t n)
{
	double total = 0, x = 0, open_x[DEPTH_MAX];
	const char *open_s[DEPTH_MAX];
	size_t open_n[DEPTH_MAX];
	int maxd = 0, nopen = 0, height;

	for (size_t i = 0; i < n; i++) {
		int d = depth_of(s[i]->frames);

		total += s[i]->weight;
		if (d > maxd)
			maxd = d;
	}
	if (maxd > DEPTH_MAX - 1)
		maxd = DEPTH_MAX - 1;
	height = TOP + (maxd + 1) * FRAME_H + BOTTOM;
	ior_puts(o, "<?xml version=\"1.0\" standalone=\"no\"?>\n");
	ior_printf(o, "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" onload=\"init(evt)\" data-total=\"%.0f\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		   WIDTH, height, WIDTH, height, total);
	ior_puts(o, "<style>text { font-family: Verdana, sans-serif; font-size: 12px; fill: black }\n"
		 ".frame:hover rect { stroke: black; stroke-width: 0.5 } .frame { cursor: pointer }\n"
		 "#unzoom { cursor: pointer }</style>\n");
	ior_printf(o, "<script type=\"text/ecmascript\"><![CDATA[\nvar PAD = %d;\n%s]]></script>\n",
		   PAD, script);
	ior_printf(o, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
		   WIDTH, height);
	ior_printf(o, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" style=\"font-size: 17px\">I/O flame graph, by %s</text>\n",
		   WIDTH / 2, opt.weight == WEIGHT_TIME ? "time (ns)" : unit());
	ior_puts(o, "<text id=\"unzoom\" x=\"10\" y=\"24\" onclick=\"unzoom()\" style=\"opacity: 0\">Reset Zoom</text>\n");
	ior_printf(o, "<text id=\"details\" x=\"10\" y=\"%d\"> </text>\n",
		   height - 10);
	frame(o, "all", 3, 0, 0, total, total, height);
	/*
	 * open_*[k]: frame k + 1 of the stacks walked so far, not yet
	 * drawn: where it starts, its name.
	 */
	for (size_t i = 0; i <= n; i++) {
		const char *f;
		size_t len;
		int k = 0;

		/* the frames this stack shares with those open stay open */
		while (i < n && k < nopen && k < DEPTH_MAX - 1 &&
		       nth_frame(s[i]->frames, k, &f, &len) &&
		       len == open_n[k] && !memcmp(f, open_s[k], len))
			k++;
		for (int j = nopen - 1; j >= k; j--)
			frame(o, open_s[j], open_n[j], j + 1, open_x[j],
			      x - open_x[j], total, height);
		nopen = k;
		if (i == n)
			break;
		while (nopen < DEPTH_MAX - 1 &&
		       nth_frame(s[i]->frames, nopen, &f, &len)) {
			open_s[nopen] = f;
			open_n[nopen] = len;
			open_x[nopen++] = x;
		}
		x += s[i]->weight;
	}
	ior_puts(o, "</svg>\n");
}
