#!/usr/bin/env python3
"""The podcast feed (issue #17): `aloud --feed DIR ARTICLE` and `aloud feed DIR`.

The feed is checked three ways: against the rules of RSS 2.0, the itunes
namespace and the Podcasting 2.0 namespace that can be checked offline
(validate_feed and validate_chapters below, written from the specifications:
https://www.rssboard.org/rss-specification, Apple's podcast RSS
requirements, podcastindex.org/namespace/1.0 docs/tags/chapters.md,
transcript.md and docs/examples/chapters/jsonChapters.md); by Debian's
python3-feedparser with every field present; and by a real podcast client,
gPodder's `gpo`, which subscribes over HTTP on 127.0.0.1, downloads every
episode, and must get the bytes aloud wrote.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zlib
import struct
import json
import uuid
import email.utils
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

# Debian's feedparser lives in Debian's Python; ctest may have found another.
try:
    import feedparser
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != \
            os.path.realpath("/usr/bin/python3") and not os.environ.get("ALOUD_FEED_REEXEC"):
        os.environ["ALOUD_FEED_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    feedparser = None

from aloudtest import case, check, finish, need, run, skip, tempdir, write

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
AUDIO_TYPES = {".flac": "audio/flac", ".opus": "audio/ogg", ".ogg": "audio/ogg",
               ".mp3": "audio/mpeg", ".wav": "audio/x-wav", ".m4b": "audio/mp4",
               ".m4a": "audio/mp4"}
TRANSCRIPT_TYPES = {"text/plain", "text/html", "text/vtt", "application/json",
                    "application/x-subrip", "application/srt"}
RFC822 = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
                    r"|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d (\+0000|GMT|[+-]\d{4})$")

ARTICLES = {
    "harbour.txt": "The Harbour at Dawn\n\nBy Ann Writer\n\nBoats come in before the sun. "
                   "The gulls know it first.\n\nBy noon the quay is empty again.\n",
    "tides.txt": "Tides & Times <Part 1>\n\nAuthor: Bo Lee\n\nThe tide turns twice a "
                 "day. \"Nobody\" is in a hurry.\n\nA heading\n\nThe moon pulls; the sea follows.\n",
    "cafe.txt": "Caf\u00e9 Notes\n\nBy Zo\u00eb M\u00fcller\n\nA short note on coffee, "
                "written slowly.\n",
}


def png(path, size=4):
    """A small valid PNG (a grey square), written with zlib alone."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + b"\x80" * size for _ in range(size))
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)
    return path


def articles(d):
    src = os.path.join(d, "src")
    os.makedirs(src, exist_ok=True)
    return [write(src, name, text) for name, text in ARTICLES.items()]


def q(tag, ns=None):
    return "{%s}%s" % (ns, tag) if ns else tag


# --------------------------------------------------------------- offline schema

def validate_chapters(data, what):
    """A Podcasting 2.0 JSON chapters file (jsonChapters.md, version 1.2)."""
    doc = json.loads(data.decode("utf-8"))
    check(isinstance(doc, dict), what + ": an object")
    check(isinstance(doc.get("version"), str) and re.match(r"^\d+\.\d+(\.\d+)?$", doc["version"]),
          what + ": version is a string such as 1.2.0")
    chapters = doc.get("chapters")
    check(isinstance(chapters, list) and chapters, what + ": a non-empty chapters array")
    known_top = {"version", "chapters", "author", "title", "podcastName", "description",
                 "fileName", "waypoints"}
    check(set(doc) <= known_top, what + ": only known members: %s" % sorted(doc))
    last = -1.0
    for c in chapters or []:
        check(set(c) <= {"startTime", "title", "img", "url", "toc", "endTime", "location"},
              what + ": a chapter's members are known: %s" % sorted(c))
        start = c.get("startTime")
        check(isinstance(start, (int, float)) and not isinstance(start, bool) and start >= 0,
              what + ": startTime is a number of seconds: %r" % (start,))
        check(start >= last, what + ": in ascending order of startTime")
        last = start
        if "endTime" in c:
            check(isinstance(c["endTime"], (int, float)) and c["endTime"] >= start,
                  what + ": endTime after startTime")
        if "title" in c:
            check(isinstance(c["title"], str), what + ": title is a string")
    return doc


def validate_feed(data, base_url=None):
    """RSS 2.0 + itunes + podcast namespace rules; returns the parsed tree."""
    check(data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), "an XML declaration, UTF-8")
    data.decode("utf-8")  # raises on invalid UTF-8
    text = data.decode("utf-8")
    check(re.search(r'xmlns:itunes="%s"' % re.escape(ITUNES), text), "itunes namespace declared")
    check(re.search(r'xmlns:podcast="%s"' % re.escape(PODCAST), text), "podcast namespace declared")
    root = ET.fromstring(data)  # raises when not well-formed
    check(root.tag == "rss" and root.get("version") == "2.0", "<rss version=\"2.0\">")
    channels = root.findall("channel")
    check(len(channels) == 1, "one channel")
    ch = channels[0]
    for tag in ("title", "link", "description"):
        el = ch.findall(tag)
        check(len(el) == 1 and (el[0].text or "").strip(), "channel has one non-empty <%s>" % tag)
    lang = ch.findtext("language")
    if lang is not None:
        check(re.match(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", lang), "language code: %r" % lang)
    for tag in ("lastBuildDate", "pubDate"):
        if ch.find(tag) is not None:
            check(RFC822.match(ch.findtext(tag)), "channel %s in RFC 822: %r" % (tag, ch.findtext(tag)))
    explicit = ch.findtext(q("explicit", ITUNES))
    check(explicit in ("true", "false"), "itunes:explicit true or false: %r" % explicit)
    for img in ch.findall(q("image", ITUNES)):
        check(img.get("href"), "itunes:image has href")
    image = ch.find("image")
    if image is not None:
        for tag in ("url", "title", "link"):
            check(image.findtext(tag), "<image> has <%s>" % tag)
    if base_url:
        self_links = [l for l in ch.findall(q("link", ATOM)) if l.get("rel") == "self"]
        check(len(self_links) == 1 and self_links[0].get("href") == base_url + "feed.xml",
              "atom:link rel=self names the feed")
    guid = ch.findall(q("guid", PODCAST))
    check(len(guid) <= 1, "podcast:guid at most once")
    for g in guid:
        check(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                       g.text or ""), "podcast:guid is a UUIDv5: %r" % g.text)
    # Podcasting 2.0 tags: only where the namespace puts them.
    for el in root.iter():
        if el.tag.startswith("{%s}" % PODCAST):
            name = el.tag.split("}")[1]
            check(name in ("chapters", "transcript", "guid", "locked", "person", "season",
                           "episode", "images", "image", "location", "license", "medium"),
                  "podcast:%s is a tag of the namespace" % name)
    guids = []
    for item in ch.findall("item"):
        title = item.findtext("title")
        check(title or item.findtext("description"), "an item has a title or a description")
        guid = item.find("guid")
        check(guid is not None and guid.text and guid.get("isPermaLink") == "false",
              "item guid, not a permalink")
        guids.append(guid.text if guid is not None else None)
        check(RFC822.match(item.findtext("pubDate") or ""), "item pubDate in RFC 822")
        enc = item.findall("enclosure")
        check(len(enc) == 1, "one enclosure per item")
        e = enc[0]
        check(re.match(r"^\d+$", e.get("length") or ""), "enclosure length in bytes")
        url = e.get("url") or ""
        ext = os.path.splitext(url)[1].lower()
        check(e.get("type") == AUDIO_TYPES.get(ext), "enclosure type %r for %s" % (e.get("type"), ext))
        if base_url:
            check(url.startswith(base_url), "enclosure url is absolute: %s" % url)
        dur = item.findtext(q("duration", ITUNES))
        if dur is not None:
            check(re.match(r"^(\d+|\d+:\d\d(:\d\d)?)$", dur), "itunes:duration: %r" % dur)
        chapters = item.findall(q("chapters", PODCAST))
        check(len(chapters) <= 1, "podcast:chapters at most once per item")
        for c in chapters:
            check(c.get("url") and c.get("type") == "application/json+chapters",
                  "podcast:chapters url and type application/json+chapters")
            check(set(c.attrib) == {"url", "type"}, "podcast:chapters attributes")
        for t in item.findall(q("transcript", PODCAST)):
            check(t.get("url") and t.get("type") in TRANSCRIPT_TYPES,
                  "podcast:transcript url and a transcript type: %r" % t.get("type"))
            check(set(t.attrib) <= {"url", "type", "language", "rel"},
                  "podcast:transcript attributes: %r" % t.attrib)
            check(t.get("rel") in (None, "captions"), "podcast:transcript rel is captions")
    check(len(guids) == len(set(guids)), "GUIDs are unique")
    return root


class Server:
    """python3 -m http.server on a free port of 127.0.0.1, serving `folder`."""

    def __init__(self, folder):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.proc = subprocess.Popen([sys.executable, "-m", "http.server", str(self.port),
                                      "--bind", "127.0.0.1"], cwd=folder,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = "http://127.0.0.1:%d/" % self.port
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("http.server did not start")
                time.sleep(0.05)
        raise RuntimeError("http.server does not answer")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def items(path):
    root = ET.parse(path).getroot()
    return {i.findtext("guid"): i for i in root.find("channel").findall("item")}


# ----------------------------------------------------------------------- cases

def test_feed_of_three_validates_and_parses():
    d = tempdir()
    pod = os.path.join(d, "pod")
    cover = png(os.path.join(d, "cover.png"))
    base = "http://podcasts.example.org/aloud/"
    rc, _, err = run(["--feed", pod, "-f", "wav", "--feed-title", "Read to Me & Co",
                      "--feed-author", "A. Reader", "--feed-lang", "en",
                      "--feed-description", "Articles, read aloud", "--base-url", base,
                      "--cover", cover] + articles(d))
    check(rc == 0, "render into a feed: %d %s" % (rc, err))
    check("feed %s/feed.xml: 3 items" % pod in err, "the summary names the feed: %s" % err)
    rc, _, err = run(["feed", pod, "--cover", cover])
    check(rc == 0, "aloud feed DIR: %s" % err)
    files = set(os.listdir(pod))
    for stem in ("harbour", "tides", "cafe"):
        for ext in (".wav", ".json", ".vtt", ".srt", ".chapters.json", ".cover.png"):
            check(stem + ext in files, "%s%s in the folder" % (stem, ext))
    check("cover.png" in files and "feed.conf" in files, "feed image and settings: %s" % files)
    check(not [f for f in files if ".aloud-" in f], "no temporary left: %s" % files)
    data = open(os.path.join(pod, "feed.xml"), "rb").read()
    root = validate_feed(data, base)
    for stem in ("harbour", "tides", "cafe"):
        doc = validate_chapters(open(os.path.join(pod, stem + ".chapters.json"), "rb").read(),
                                stem + ".chapters.json")
        manifest = json.load(open(os.path.join(pod, stem + ".json"), encoding="utf-8"))
        check([c["startTime"] for c in doc["chapters"]] ==
              [p["start"] for p in manifest["paragraphs"]],
              "%s: chapters start where the manifest's paragraphs do" % stem)
        check([c["title"] for c in doc["chapters"]] ==
              [p["title"] for p in manifest["paragraphs"]], "%s: chapter titles" % stem)
        check(doc["chapters"][-1]["endTime"] == manifest["duration"], "last chapter ends at the end")
    ch = root.find("channel")
    check(ch.findtext("title") == "Read to Me & Co", "channel title, escaped and back")
    # docs/tags/guid.md: the feed's URL without scheme and trailing slashes, in the podcast namespace.
    want = uuid.uuid5(uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6"),
                      "podcasts.example.org/aloud/feed.xml")
    check(ch.findtext(q("guid", PODCAST)) == str(want), "podcast:guid %s" % want)
    check(len(ch.findall("item")) == 3, "three items")

    if feedparser is None:
        print("note: python3-feedparser missing; its part is not checked", file=sys.stderr)
        return
    f = feedparser.parse(data)
    check(not f.bozo, "feedparser finds the feed well-formed: %r" % f.get("bozo_exception"))
    check(f.version == "rss20", "feedparser: RSS 2.0, got %r" % f.version)
    feed = f.feed
    check(feed.title == "Read to Me & Co", "feed title")
    check(feed.author == "A. Reader", "feed author")
    check(feed.language == "en", "feed language")
    check(feed.subtitle == "Articles, read aloud", "feed description")
    check(feed.link == base, "feed link")
    check(feed.image.href == base + "cover.png", "feed image: %r" % feed.get("image"))
    check(feed.get("updated_parsed") is not None, "feed date")
    by_title = {e.title: e for e in f.entries}
    check(set(by_title) == {"The Harbour at Dawn", "Tides & Times <Part 1>", "Caf\u00e9 Notes"},
          "item titles: %s" % list(by_title))
    want = {"The Harbour at Dawn": ("harbour", "Ann Writer",
                                    "Boats come in before the sun. The gulls know it first."),
            "Tides & Times <Part 1>": ("tides", "Bo Lee",
                                       "The tide turns twice a day. \"Nobody\" is in a hurry."),
            "Caf\u00e9 Notes": ("cafe", "Zo\u00eb M\u00fcller",
                                "A short note on coffee, written slowly.")}
    for title, (stem, author, summary) in want.items():
        e = by_title.get(title)
        if not check(e is not None, "entry %s" % title):
            continue
        wav = os.path.join(pod, stem + ".wav")
        check(e.author == author, "%s: author %r" % (stem, e.get("author")))
        check(e.summary == summary, "%s: description is the first body paragraph: %r"
              % (stem, e.get("summary")))
        check(e.id.startswith("aloud-") and e.guidislink is False, "%s: guid" % stem)
        check(e.published_parsed is not None and
              abs(time.mktime(e.published_parsed) - time.mktime(time.gmtime(os.stat(wav).st_mtime)))
              < 1, "%s: pubDate from the file's time" % stem)
        enc = e.enclosures
        check(len(enc) == 1 and enc[0].href == base + stem + ".wav"
              and int(enc[0].length) == os.path.getsize(wav) and enc[0].type == "audio/x-wav",
              "%s: enclosure %r" % (stem, enc))
        manifest = json.load(open(os.path.join(pod, stem + ".json"), encoding="utf-8"))
        check(int(e.itunes_duration) == round(manifest["duration"]), "%s: itunes:duration" % stem)
        check(e.image.href == base + stem + ".cover.png", "%s: item image" % stem)
        check(e.podcast_chapters == {"url": base + stem + ".chapters.json",
                                     "type": "application/json+chapters"},
              "%s: podcast:chapters %r" % (stem, e.get("podcast_chapters")))
        check(e.get("podcast_transcript", {}).get("rel") == "captions", "%s: transcript" % stem)
    # Both transcripts, by the tree (feedparser keeps the last one only).
    for item in ch.findall("item"):
        types = sorted(t.get("type") for t in item.findall(q("transcript", PODCAST)))
        check(types == ["application/x-subrip", "text/vtt"], "VTT and SRT transcripts: %s" % types)


def test_gpo_subscribes_and_downloads_byte_identical():
    if shutil.which("gpo") is None:
        print("note: gpo (gpodder) is not installed; this case is not checked", file=sys.stderr)
        return
    d = tempdir()
    pod = os.path.join(d, "pod")
    os.makedirs(pod)
    server = Server(pod)
    try:
        rc, _, err = run(["--feed", pod, "-f", "mp3", "--feed-title", "Three Articles",
                          "--base-url", server.url] + articles(d))
        check(rc == 0, "render: %s" % err)
        home = os.path.join(d, "home")
        env = dict(os.environ, HOME=home, GPODDER_HOME=os.path.join(home, "gpodder"),
                   GPODDER_DOWNLOAD_DIR=os.path.join(home, "downloads"))
        os.makedirs(home)

        def gpo(*args):
            p = subprocess.run(["gpo"] + list(args), env=env, capture_output=True, timeout=300)
            return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")

        feed_url = server.url + "feed.xml"
        rc, out, err = gpo("subscribe", feed_url)
        check(rc == 0 and "Successfully added" in out, "gpo subscribe: %s %s" % (out, err))
        rc, out, err = gpo("episodes", feed_url)
        print(out)
        for title in ("The Harbour at Dawn", "Tides & Times <Part 1>", "Caf\u00e9 Notes"):
            check(title in out, "gpo lists %r: %s" % (title, out))
        rc, out, err = gpo("download", feed_url)
        check(rc == 0 and "3 episodes downloaded" in out, "gpo download: %s %s" % (out, err))
        got = {}
        for root, _, names in os.walk(os.path.join(home, "downloads")):
            for n in names:
                got[n] = os.path.join(root, n)
        for stem in ("harbour", "tides", "cafe"):
            path = got.get(stem + ".mp3")
            if check(path is not None, "gpo downloaded %s.mp3: %s" % (stem, sorted(got))):
                check(open(path, "rb").read() == open(os.path.join(pod, stem + ".mp3"), "rb").read(),
                      "%s.mp3 as downloaded is byte-identical to the render" % stem)
    finally:
        server.stop()


def test_rerender_replaces_and_delete_drops():
    d = tempdir()
    pod = os.path.join(d, "pod")
    srcs = articles(d)
    rc, _, err = run(["-q", "--feed", pod, "-f", "wav"] + srcs)
    check(rc == 0, err)
    before = items(os.path.join(pod, "feed.xml"))
    check(len(before) == 3, "three items")
    harbour = [g for g, i in before.items() if i.findtext("title") == "The Harbour at Dawn"][0]
    old_len = before[harbour].find("enclosure").get("length")
    # Other options, same article: the item is replaced, not added.
    rc, _, err = run(["-q", "--feed", pod, "-f", "wav", "--rate", "120", srcs[0]])
    check(rc == 0, err)
    after = items(os.path.join(pod, "feed.xml"))
    check(set(after) == set(before), "same GUIDs after a re-render")
    new_len = after[harbour].find("enclosure").get("length")
    check(new_len != old_len and int(new_len) == os.path.getsize(os.path.join(pod, "harbour.wav")),
          "the re-rendered item has the new length: %s -> %s" % (old_len, new_len))
    # Into another format: the newer file is the item, the older is named and left out.
    rc, _, err = run(["--feed", pod, "-f", "flac", srcs[0]])
    check(rc == 0, err)
    check("harbour.wav: an older render of the same article as harbour.flac" in err,
          "the older render is named: %s" % err)
    after = items(os.path.join(pod, "feed.xml"))
    check(len(after) == 3 and after[harbour].find("enclosure").get("url").endswith("harbour.flac"),
          "one item for the article, the FLAC")
    # A reader that opened the feed before an update still reads the whole old one.
    old = open(os.path.join(pod, "feed.xml"), "rb")
    old_bytes = os.path.getsize(os.path.join(pod, "feed.xml"))
    os.remove(os.path.join(pod, "harbour.flac"))
    os.remove(os.path.join(pod, "harbour.wav"))
    rc, _, err = run(["feed", pod])
    check(rc == 0, err)
    check(len(old.read()) == old_bytes, "the old feed stays whole for its reader (replaced by rename)")
    old.close()
    after = items(os.path.join(pod, "feed.xml"))
    check(harbour not in after and len(after) == 2, "deleting the audio drops its item")
    validate_feed(open(os.path.join(pod, "feed.xml"), "rb").read())


def test_settings_are_kept_and_audio_without_manifest_is_listed():
    d = tempdir()
    pod = os.path.join(d, "pod")
    srcs = articles(d)
    rc, _, err = run(["-q", "--feed", pod, "-f", "wav", "--feed-title", "Kept Title",
                      "--feed-lang", "en-gb", srcs[0]])
    check(rc == 0, err)
    # A later render without the feed's options keeps them.
    rc, _, err = run(["-q", "--feed", pod, "-f", "wav", srcs[1]])
    check(rc == 0, err)
    root = ET.parse(os.path.join(pod, "feed.xml")).getroot()
    check(root.find("channel").findtext("title") == "Kept Title", "title kept")
    check(root.find("channel").findtext("language") == "en-gb", "language kept")
    check("title = Kept Title" in open(os.path.join(pod, "feed.conf"), encoding="utf-8").read(),
          "feed.conf holds the title")
    # An audio file rendered elsewhere, without a manifest.
    other = os.path.join(d, "other.wav")
    rc, _, err = run(["-q", "-o", other, srcs[2]])
    check(rc == 0, err)
    shutil.copy(other, os.path.join(pod, "stray.wav"))
    rc, _, err = run(["feed", pod])
    check(rc == 0, err)
    check("aloud: warning: %s/stray.wav has no manifest (stray.json): listed without chapters "
          "or transcript" % pod in err,
          "the file without a manifest is named: %s" % err)
    check("(1 without a manifest)" in err, "the summary counts it: %s" % err)
    root = validate_feed(open(os.path.join(pod, "feed.xml"), "rb").read())
    stray = [i for i in root.find("channel").findall("item")
             if i.find("enclosure").get("url") == "stray.wav"]
    if check(len(stray) == 1, "stray.wav is an item with a relative link"):
        i = stray[0]
        check(i.findtext("title") == "Caf\u00e9 Notes", "its title from its tags")
        check(i.find(q("chapters", PODCAST)) is None and i.find(q("transcript", PODCAST)) is None,
              "no chapters or transcript without a manifest")
        check(i.findtext(q("duration", ITUNES)) is not None, "its duration from the file")


def test_bad_feed_options_and_settings():
    d = tempdir()
    pod = os.path.join(d, "pod")
    src = articles(d)[0]
    rc, _, err = run(["--feed", pod, "--base-url", "ftp://example.org/", src])
    check(rc == 2 and "base URL must be an http:// or https://" in err, "bad base URL: %d %s" % (rc, err))
    check(not os.path.exists(pod), "nothing rendered with a bad base URL")
    notimg = write(d, "cover.png", "not an image")
    rc, _, err = run(["--feed", pod, "--cover", notimg, src])
    check(rc == 2 and "not a JPEG or PNG image" in err, "bad cover: %d %s" % (rc, err))
    check(not os.path.exists(pod) or not [f for f in os.listdir(pod) if f.endswith(".flac")],
          "nothing rendered with a bad cover")
    rc, _, err = run(["--feed", pod, "-o", "x.flac", src])
    check(rc == 2 and "leave out --output" in err, "--feed with -o: %s" % err)
    rc, _, err = run(["--feed-title", "T", src])
    check(rc == 2 and "apply with --feed DIR" in err, "feed option without a feed: %s" % err)
    rc, _, err = run(["feed", pod, "--rate", "120"])
    check(rc == 2 and "takes only the feed's options" in err, "aloud feed with a render option")
    rc, _, err = run(["feed", os.path.join(d, "missing")])
    check(rc == 2 and "missing" in err, "a missing folder: %d %s" % (rc, err))
    os.makedirs(pod, exist_ok=True)
    write(pod, "feed.conf", "title = Fine\n  colour = blue\n")
    rc, _, err = run(["feed", pod])
    check(rc == 2 and pod + "/feed.conf:2:3: unknown setting 'colour'" in err,
          "a bad settings line is named: %s" % err)
    rc, _, err = run(["feed", pod, "--feed-title", "two\nlines"])
    check(rc == 2 and "line break" in err, "a title with a line break: %s" % err)
    # The feed is an output like any other: a folder in its place is refused.
    write(pod, "feed.conf", "title = Fine\n")
    os.makedirs(os.path.join(pod, "feed.xml"))
    rc, _, err = run(["feed", pod])
    check(rc == 2 and "feed.xml is a folder, not a regular file" in err, "feed.xml a folder: %s" % err)
    os.rmdir(os.path.join(pod, "feed.xml"))
    # A temporary that a killed update left is removed by the next one.
    stale = write(pod, ".feed.xml.aloud-AbCdE12345", "<rss")
    rc, _, err = run(["feed", pod])
    check(rc == 0 and not os.path.exists(stale), "a stale temporary is swept: %s" % os.listdir(pod))


def test_hundred_renders_two_at_a_time():
    d = tempdir()
    pod = os.path.join(d, "pod")
    src = os.path.join(d, "src")
    os.makedirs(src)
    paths = [write(src, "a%03d.txt" % i, "Note %d\n\nShort note number %d.\n" % (i, i))
             for i in range(100)]

    def one(path):
        return run(["-q", "-j", "1", "--feed", pod, "-f", "wav", path])

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, paths))
    failed = [(p, r[2]) for p, r in zip(paths, results) if r[0] != 0]
    check(not failed, "every render succeeded: %s" % failed[:3])
    found = items(os.path.join(pod, "feed.xml"))
    check(len(found) == 100, "100 items after 100 renders two at a time, got %d" % len(found))
    titles = {i.findtext("title") for i in found.values()}
    check(titles == {"Note %d" % i for i in range(100)}, "every note is an item")
    validate_feed(open(os.path.join(pod, "feed.xml"), "rb").read())


if __name__ == "__main__":
    case(test_feed_of_three_validates_and_parses)
    case(test_gpo_subscribes_and_downloads_byte_identical)
    case(test_rerender_replaces_and_delete_drops)
    case(test_settings_are_kept_and_audio_without_manifest_is_listed)
    case(test_bad_feed_options_and_settings)
    case(test_hundred_renders_two_at_a_time)
    finish()
