#!/usr/bin/env python3
"""Builds the saved web pages of the input corpus and their gold text.

Each page wraps a text that may be shared (the project's sample articles in
text/, the CC0 1.0 legal code, itself in the public domain) in the
boilerplate of real sites: a navigation menu, a cookie banner, share
buttons, a newsletter box, related stories, comments, a footer, scripts,
figure captions and footnote links. NAME.gold.txt holds what should be read
(the article's title, byline and paragraphs), one paragraph a line, for
bench/html_extract.py; tests/e2e/test_inputs.py checks that none of the
boilerplate is read. Run from this folder: python3 make_pages.py.
"""
import html
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")


def paragraphs(text):
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(" ".join(cur))
            cur = []
    if cur:
        out.append(" ".join(cur))
    return out


NAV = """<header class="site-header"><a class="logo" href="/">The Harbour Gazette</a>
<nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li>
<li><a href="/contact">Contact us</a></li></ul></nav>
<form class="search" role="search"><input type="text" placeholder="Search the site"><button>Go</button></form>
</header>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience on our site.
By continuing to browse you agree to our use of cookies, as our cookie policy explains in detail.</p>
<button>Accept all cookies</button> <button>Manage preferences</button></div>
"""

SHARE = """<div class="share-buttons"><a href="https://facebook.com/sharer">Share on Facebook</a>
<a href="https://twitter.com/intent/tweet">Share on Twitter</a> <a href="mailto:?">Email this story</a></div>
"""

AFTER = """<div class="newsletter-signup"><h3>Get the morning briefing</h3><p>Sign up for our newsletter
and get the day's most important stories, hand-picked by our editors, in your inbox every morning.</p>
<input type="email"><button>Subscribe</button></div>
<aside class="related"><h3>Related stories</h3><ul>
<li><a href="/a">Council approves new harbour wall after a long and heated debate</a></li>
<li><a href="/b">Ferry timetable changes announced for the winter season this year</a></li></ul></aside>
<section id="comments" class="comments"><h3>12 comments</h3>
<div class="comment"><p>Great article, thanks for writing it. I remember the mill from when I was a child,
and my grandmother used to take us there on Sundays, so this is wonderful news.</p></div>
<div class="comment"><p>Leave a comment below and tell us what you think about the vote and its result.</p></div>
</section>
"""

FOOTER = """<footer class="site-footer"><p>Copyright 2024 The Harbour Gazette. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul></footer>
<script>window.dataLayer = window.dataLayer || []; function track() { console.log("Tracking pixel fired"); }</script>
"""


def news():
    ps = paragraphs(open(os.path.join(ROOT, "text", "news.txt"), encoding="utf-8").read())
    title, byline, body = ps[0], ps[1], ps[2:]
    paras = []
    for i, p in enumerate(body):
        note = '<sup class="reference"><a href="#cite1">[1]</a></sup>' if i == 0 else ""
        paras.append(f"<p>{html.escape(p)}{note}</p>")
        if i == 1:
            paras.append('<figure><img src="mill.jpg" alt="The tide mill at dusk">'
                         '<figcaption>The tide mill at dusk, seen from the estuary path. '
                         'Photograph by the Gazette staff.</figcaption></figure>')
    page = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{html.escape(title)} | The Harbour Gazette</title>
<meta property="og:title" content="{html.escape(title)}">
<meta name="author" content="Miriam Okafor">
<style>body {{ font-family: serif; }} .cookie-consent {{ position: fixed; }}</style>
</head><body>
{NAV}<main><article class="story">
<h1>{html.escape(title)}</h1>
<p class="byline">{html.escape(byline)}</p>
{SHARE}{"".join(paras)}
</article>
{AFTER}</main>
{FOOTER}</body></html>
"""
    open(os.path.join(HERE, "news.html"), "w", encoding="utf-8").write(page)
    open(os.path.join(HERE, "news.gold.txt"), "w", encoding="utf-8").write(
        "\n".join([title, byline] + body) + "\n")


def letter():
    """A blog in windows-1252, with no <article>: divs, a sidebar and JSON-LD."""
    ps = paragraphs(open(os.path.join(ROOT, "text", "letter.txt"), encoding="utf-8").read())
    title, body = ps[0], ps[1:]
    ld = json.dumps({"@context": "https://schema.org", "@type": "BlogPosting",
                     "headline": title, "author": {"@type": "Person", "name": "Eleanor Vance"}})
    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in body)
    page = f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">
<title>{html.escape(title)} - Notes from the Coast</title>
<script type="application/ld+json">{ld}</script>
</head><body>
<div id="top-menu" class="menu"><a href="/">Notes from the Coast</a> | <a href="/archive">Archive</a> | <a href="/about">About me</a></div>
<div id="wrapper"><div id="sidebar" class="sidebar"><h3>Archive</h3><ul><li><a href="/2023">Posts from 2023</a></li>
<li><a href="/2022">Posts from 2022</a></li></ul><p>This blog is written by a retired keeper of lights,
who shares letters, photographs and recipes from a long life spent on the coast.</p></div>
<div id="content" class="post-content"><h2 class="post-title">{html.escape(title)}</h2>
{paras}</div>
<div class="social-share">Share on Facebook | Share on Twitter</div>
</div>
<div id="footer" class="footer">Copyright 2024 Notes from the Coast. All rights reserved. Powered by a blog engine.</div>
</body></html>
"""
    open(os.path.join(HERE, "letter.html"), "wb").write(page.encode("cp1252"))
    open(os.path.join(HERE, "letter.gold.txt"), "w", encoding="utf-8").write(
        "\n".join([title] + body) + "\n")


def cc0():
    """Documentation-style: a sidebar table of contents, heading links, a footer."""
    text = open(os.path.join(HERE, "cc0-1.0.txt"), encoding="utf-8").read()
    ps = paragraphs(text)
    start = next(i for i, p in enumerate(ps) if p.startswith("Statement of Purpose"))
    body = ps[start:]
    out, gold = [], ["CC0 1.0 Universal"]
    for p in body:
        if p == "Statement of Purpose":
            out.append('<h2 id="purpose">Statement of Purpose<a class="headerlink" '
                       'href="#purpose">\u00b6</a></h2>')
        else:
            out.append(f"<p>{html.escape(p)}</p>")
        gold.append(p)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CC0 1.0 Universal \u2014 Legal Code</title></head>
<body><div class="related" role="navigation"><ul><li><a href="index.html">Licences</a> \u00bb</li>
<li><a href="cc0.html">CC0</a></li></ul></div>
<div class="document"><div class="documentwrapper"><div class="body" role="main">
<section id="cc0"><h1>CC0 1.0 Universal<a class="headerlink" href="#cc0">\u00b6</a></h1>
{"".join(out)}
</section></div></div>
<div class="sphinxsidebar" role="navigation"><h3>Table of contents</h3><ul><li><a href="#purpose">Statement of Purpose</a></li></ul>
<h3>This page</h3><ul><li><a href="_sources/cc0.txt">Show source</a></li></ul></div></div>
<div class="footer">Built with a documentation generator. Last updated on 1 January 2024.</div>
</body></html>
"""
    open(os.path.join(HERE, "cc0.html"), "w", encoding="utf-8").write(page)
    open(os.path.join(HERE, "cc0.gold.txt"), "w", encoding="utf-8").write("\n".join(gold) + "\n")


if __name__ == "__main__":
    news()
    letter()
    cc0()
