"""Layout checks for the browser tests: log in as a role, walk its main pages (every link of the navigation and
the first record of each list) and measure, at the page's viewport, what a phone user would suffer — the page
scrolling sideways, an element sticking out of the screen (unless it sits in a box that scrolls by itself), a
header taller than a quarter of the screen, touch targets too small, chart labels that overlap."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

# Measured in the page: a list of human-readable problems, empty when the page fits.
MEASURE = r"""
() => {
  const vw = window.innerWidth, vh = window.innerHeight, problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > vw) problems.push(`页面宽 ${doc.scrollWidth}px，超出屏幕 ${vw}px`);
  const clipped = (node) => {
    for (let p = node.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === "auto" || ox === "scroll" || ox === "hidden" || ox === "clip") return true;
    }
    return false;
  };
  const seen = new Set();
  for (const node of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden" || style.position === "fixed") continue;
    const r = node.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > vw + 1 || r.left < -1) && !clipped(node)) {
      const name = node.tagName.toLowerCase() + (node.id ? "#" + node.id : "") +
        (node.className && typeof node.className === "string" ? "." + node.className.split(" ")[0] : "");
      if (!seen.has(name)) { seen.add(name); problems.push(`${name} 超出屏幕（${Math.round(r.left)}–${Math.round(r.right)}px）`); }
      if (seen.size > 5) break;
    }
  }
  const header = document.querySelector("header.topbar");
  if (header) {
    const h = header.getBoundingClientRect().height;
    if (h > vh / 4) problems.push(`页头高 ${Math.round(h)}px，超过屏幕高度的四分之一`);
  }
  if (vw < 600) {
    for (const input of document.querySelectorAll("main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, main button, main textarea")) {
      const r = input.getBoundingClientRect();
      if (r.width && r.height && r.height < 32) { problems.push(`${input.tagName.toLowerCase()}[name=${input.name || ""}] 高 ${Math.round(r.height)}px，手指点不准`); break; }
    }
  }
  // Chart labels: no two text labels of one chart overlap.
  for (const svg of document.querySelectorAll("[data-chart] svg")) {
    const texts = [...svg.querySelectorAll("text")].filter((t) => t.getBoundingClientRect().width);
    const boxes = texts.map((t) => t.getBoundingClientRect());
    outer: for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
        problems.push(`图表 ${svg.parentElement.dataset.chart} 的文字重叠（“${texts[i].textContent}”与“${texts[j].textContent}”）`);
        break outer;
      }
    }
    const r = svg.getBoundingClientRect();
    if (r.right > vw + 1) problems.push(`图表 ${svg.parentElement.dataset.chart} 宽于屏幕`);
    if (r.width > svg.parentElement.getBoundingClientRect().width + 1)
      problems.push(`图表 ${svg.parentElement.dataset.chart} 宽于它的位置，压住旁边的内容`);
    if (boxes.some((b) => b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1))
      problems.push(`图表 ${svg.parentElement.dataset.chart} 的文字被边缘截断`);
  }
  return problems;
}
"""

# Links the walk never follows: leaving the site, logging out, Django admin, downloads.
SKIP = ("/admin/", "/logout/", "/export", "/api/", ".xlsx", ".csv", ".pdf", "/download")


def login(page, base: str, username: str, password: str) -> None:
    """Log in afresh: leave the last page first (its scripts, such as the inbox counts' polling, could answer
    after the cookies are cleared and set the last user's session again, and /login/ would then go home)."""
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")


def measure(page) -> list[str]:
    page.wait_for_load_state("load")
    return page.evaluate(MEASURE)


def _same_site(base: str, href: str | None) -> str | None:
    if not href or href.startswith("#") or href.startswith("mailto:"):
        return None
    url = urljoin(base + "/", href)
    if urlparse(url).netloc != urlparse(base).netloc or any(s in url for s in SKIP):
        return None
    return url.split("#")[0]


def _links(page, base: str, selector: str, first_only: bool = False) -> list[str]:
    links = page.locator(selector)
    links = [links.first] if first_only and links.count() else links.all()
    return [u for u in (_same_site(base, a.get_attribute("href")) for a in links) if u]


def main_pages(page, base: str) -> list[str]:
    """Home, every navigation link, and from each page the navigation leads to: its tabs, the first record of its
    list and the form its main button opens (登记新家庭, 受理申请, …); from each record, the forms of its actions
    (入户调查, 街道审核, 暂停发放, …)."""
    page.goto(base + "/")
    pages = [base + "/"] + _links(page, base, "header.topbar nav a")
    found: list[str] = []
    for url in pages[1:]:
        page.goto(url)
        found += _links(page, base, "main .tabs a")
        found += _links(page, base, "main table.list tbody tr a[href]", first_only=True)
        found += _links(page, base, "main a.button.primary", first_only=True)
    records = [u for u in dict.fromkeys(found) if u not in pages]
    for url in list(records):
        if any(ch.isdigit() for ch in urlparse(url).path):
            page.goto(url)
            records += _links(page, base, "main #actions a.button")
    return list(dict.fromkeys(pages + records))


PHONE = (390, 844)
DESKTOP = (1366, 768)


def walk_role(
    page, base: str, username: str, password: str, sizes=(PHONE, DESKTOP), shots: str | None = None
) -> list[dict]:
    """Every main page of the role, each measured at every size (the viewport resized on the loaded page, as a
    turned tablet or a resized window would), with the problems found: [{url, size, problems}]."""
    login(page, base, username, password)
    results = []
    for i, url in enumerate(main_pages(page, base)):
        page.set_viewport_size({"width": sizes[0][0], "height": sizes[0][1]})
        response = page.goto(url)
        for width, height in sizes:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(50)  # a resize handler (the charts) redraws on the next frame
            problems = measure(page)
            if response is not None and response.status >= 400:
                problems.append(f"HTTP {response.status}")
            if shots:
                page.screenshot(path=f"{shots}-{width}-{username}-{i:02d}.png", full_page=True)
            results.append({"url": url, "size": f"{width}×{height}", "problems": problems})
    return results
