"""Drives DataPilot's web UI (/ui/) in headless Chromium with Selenium, against a running
datapilot-server seeded with examples/. Run by Tests/ServerTests/UIBrowserTests.swift.

Usage: ui_browser.py UI_URL ADMIN_KEY VIEWER_KEY OUTPUT_DIR [API_URL [SOURCE]]
(API_URL: the gateway, when the UI runs as a service of its own; default UI_URL. SOURCE: a git
source the reconciler behind the gateway's reconciler-url keeps, with a synced commit, drift on
experiment/ui-probe and an invalid commit last; default team-data)

Signs in, visits every page, follows links (dataset -> version -> evaluation), uses the filters
and paging, checks that the DOM shows the seeded data, signs out; a viewer sees no action
buttons; forged posts without the CSRF token are refused; the cookie flags and security headers;
axe-core finds no serious or critical violation on any page; every page is also read with
JavaScript off; a screenshot of every page goes to OUTPUT_DIR; a crawl of every link finds no
4xx or 5xx. Exits 1 listing every failed expectation.
"""

import html.parser
import http.client
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import urllib.parse

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BASE, ADMIN_KEY, VIEWER_KEY, OUT = sys.argv[1:5]
API = urllib.parse.urlparse(sys.argv[5] if len(sys.argv) > 5 else BASE)
HOST = urllib.parse.urlparse(BASE)
SOURCE = sys.argv[6] if len(sys.argv) > 6 else "team-data"
WAIT = 60  # seconds: generous, the CI machine is loaded
OUTCOMES = ("PASSED", "WARNED", "FAILED", "ERROR")
DRIVERS = []  # every browser started, for the failure report
failures = []
shots = []


def expect(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message, flush=True)
    return condition


def browser(javascript=True):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    profile = tempfile.mkdtemp(prefix="dp-ui-chromium-")
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}",
                     "--window-size=1280,1100", "--lang=en-US"]:
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")))
    DRIVERS.append(driver)
    driver.set_page_load_timeout(WAIT)
    driver.profile_dir = profile
    return driver


def quit(driver):
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


def wait_for(driver, locator):
    return WebDriverWait(driver, WAIT).until(expected_conditions.presence_of_element_located(locator))


def heading(driver):
    return wait_for(driver, (By.CSS_SELECTOR, "main h1")).text


def path_of(driver):
    return urllib.parse.urlparse(driver.current_url).path


def check_page(driver, name, axe=True, status_error=False):
    """A screenshot, no inline script or style, no console errors (CSP violations), and axe.
    `status_error`: the page itself answers 4xx on purpose (its load shows as a network error)."""
    heading(driver)
    # The whole page in the screenshot: the window as tall as the document, then back.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(int(height) + 120, 800), 8000))
    file = os.path.join(OUT, f"{len(shots) + 1:02d}-{name}.png")
    expect(driver.save_screenshot(file), f"{name}: screenshot not saved")
    driver.set_window_size(1280, 1100)
    shots.append(file)
    inline = driver.execute_script(
        "return document.querySelectorAll('script:not([src]), [style]').length + "
        "Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(a => a.name.startsWith('on'))).length")
    expect(inline == 0, f"{name}: {inline} inline scripts, styles or handlers")
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
              and not (status_error and entry["source"] == "network" and entry["message"].startswith(driver.current_url + " "))]
    expect(not errors, f"{name}: console errors {errors}")
    if axe:
        checker = Axe(driver)
        checker.inject()
        result = checker.run()
        bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
        expect(not bad, f"{name}: axe found serious or critical violations: {bad}")


def cells(driver, column):
    """The text of a column of the first table on the page that has it, by its header."""
    for table in driver.find_elements(By.TAG_NAME, "table"):
        headers = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
        if column in headers:
            index = headers.index(column) + 1
            return [td.text for td in table.find_elements(By.CSS_SELECTOR, f"tbody tr td:nth-child({index})")]
    return []


def click_link(driver, text):
    before = driver.current_url
    driver.find_element(By.LINK_TEXT, text).click()
    WebDriverWait(driver, WAIT).until(lambda d: d.current_url != before)
    heading(driver)


def sign_in(driver, key):
    driver.get(BASE + "/ui/sign-in")
    wait_for(driver, (By.ID, "key")).send_keys(key)
    driver.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    WebDriverWait(driver, WAIT).until(lambda d: path_of(d) != "/ui/sign-in" or d.find_elements(By.CSS_SELECTOR, ".notice.error"))


def raw(method, path, cookie=None, body=None, headers=None):
    """One request outside the browser (forged posts, headers): status, headers, text."""
    connection = http.client.HTTPConnection(HOST.hostname, HOST.port, timeout=WAIT)
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = cookie
    if body is not None:
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=all_headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, response.getheaders(), text


def api(path, key):
    connection = http.client.HTTPConnection(API.hostname, API.port, timeout=WAIT)
    connection.request("GET", path, headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    return body


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attributes):
        attributes = dict(attributes)
        if tag == "a" and attributes.get("href"):
            self.found.append(attributes["href"])
        if tag == "link" and attributes.get("href"):
            self.found.append(attributes["href"])
        if tag == "script" and attributes.get("src"):
            self.found.append(attributes["src"])


def api_post(path, key):
    connection = http.client.HTTPConnection(API.hostname, API.port, timeout=WAIT)
    connection.request("POST", path, body=b"", headers={"Authorization": f"Bearer {key}"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def api_send(method, path, document=None, key=ADMIN_KEY):
    connection = http.client.HTTPConnection(API.hostname, API.port, timeout=WAIT)
    body = json.dumps(document).encode() if document is not None else b""
    headers = {"Authorization": f"Bearer {key}"}
    if document is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode("utf-8", "replace")
    connection.close()
    return response.status, text


def source_state():
    sources = api("/api/reconciler/sources", ADMIN_KEY).get("sources", [])
    return next((s for s in sources if s.get("name") == SOURCE), {})


def sources_and_drift(driver, session):
    """The Sources pages (live state and controls through the gateway, history from the audit log)
    and the drift page, as the admin; the controls used, a forged control refused."""
    click_link(driver, "Sources")
    expect(heading(driver) == "Sources", heading(driver))
    expect(SOURCE in cells(driver, "Source"), f"sources {cells(driver, 'Source')}")
    expect(cells(driver, "Last result") == ["invalid"], f"source results {cells(driver, 'Last result')}")
    check_page(driver, "sources")
    click_link(driver, SOURCE)
    expect(heading(driver) == f"Source {SOURCE}", heading(driver))
    expect(driver.find_element(By.ID, "source-result").text == "invalid", "the source's last result is not invalid")
    expect("active" in driver.find_element(By.ID, "source-state").text, "the source is not active")
    results = cells(driver, "Result")
    expect("invalid" in results and "synced" in results, f"sync history results {results}")
    errors = [e for e in cells(driver, "Errors") if e != "—"]
    expect(errors and re.search(r"experiment\.yaml:\d+:\d+:", errors[0]) and "sideways" in errors[0], f"sync errors {errors}")
    expect(any("=" in c for c in cells(driver, "Changes")), f"counts by action {cells(driver, 'Changes')}")
    commits = [c for c in cells(driver, "Commit") if c != "—"]
    expect(len(commits) >= 2 and all(re.fullmatch(r"[0-9a-f]{12}", c) for c in commits), f"commits {commits}")
    expect(driver.find_elements(By.ID, "source-sync") and driver.find_elements(By.ID, "source-suspend"), "admin sees no controls")
    check_page(driver, "source")
    # The README's picture (docs/img/ui-source.png is a copy of it): the top of this page, small.
    driver.set_window_size(1100, 720)
    picture = os.path.join(OUT, "readme-ui-source.png")
    expect(driver.save_screenshot(picture) and os.path.getsize(picture) < 400_000, "the README screenshot is missing or large")
    driver.set_window_size(1280, 1100)

    # Sync now: through the gateway as the admin, audited by the reconciler naming the admin.
    before = len(api(f"/api/audit/events?resource=source%2F{SOURCE}&action=source-sync", ADMIN_KEY)["items"])
    driver.find_element(By.ID, "source-sync").click()
    WebDriverWait(driver, WAIT).until(expected_conditions.alert_is_present()).accept()
    WebDriverWait(driver, WAIT).until(lambda d: "done=sync" in d.current_url)
    expect("Sync requested" in driver.find_element(By.CSS_SELECTOR, ".notice").text, "no notice after Sync now")
    after = len(api(f"/api/audit/events?resource=source%2F{SOURCE}&action=source-sync", ADMIN_KEY)["items"])
    expect(after == before + 1, f"Sync now: {before} -> {after} source-sync events")
    check_page(driver, "source-synced", axe=False)

    # Suspend, then resume.
    driver.find_element(By.ID, "source-suspend").click()
    WebDriverWait(driver, WAIT).until(expected_conditions.alert_is_present()).accept()
    WebDriverWait(driver, WAIT).until(lambda d: "done=suspend" in d.current_url)
    expect("suspended" in driver.find_element(By.ID, "source-state").text, "not suspended after Suspend")
    expect(not driver.find_elements(By.ID, "source-sync") and driver.find_elements(By.ID, "source-resume"),
           "a suspended source offers Sync now or no Resume")
    expect(source_state().get("suspended") is True, f"the reconciler's state after Suspend: {source_state()}")
    check_page(driver, "source-suspended")
    driver.find_element(By.ID, "source-resume").click()
    WebDriverWait(driver, WAIT).until(expected_conditions.alert_is_present()).accept()
    WebDriverWait(driver, WAIT).until(lambda d: "done=resume" in d.current_url)
    expect("active" in driver.find_element(By.ID, "source-state").text, "not active after Resume")

    # Forged controls: no CSRF token, a wrong one, no session. Nothing changes.
    for name, cookie_header, body in [("no token", session, ""), ("wrong token", session, "csrf=forged"),
                                      ("no session", None, "csrf=forged")]:
        status, _, _ = raw("POST", f"/ui/sources/{SOURCE}/suspend", cookie=cookie_header, body=body)
        expect(status == 403, f"forged suspend ({name}) answered {status}")
    expect(source_state().get("suspended") is False, f"a forged post suspended the source: {source_state()}")
    status, _, _ = raw("POST", f"/ui/sources/{SOURCE}/rollback", cookie=session, body="csrf=forged")
    expect(status in (403, 404), f"an unknown control answered {status}")

    # Drift: the experiment changed behind git's back, with both values and who changed it.
    click_link(driver, "Drift reported for this source")
    expect(heading(driver) == "Drift", heading(driver))
    articles = driver.find_elements(By.CSS_SELECTOR, "article.drift")
    text = " ".join(a.text for a in articles)
    expect("experiment/ui-probe" in text and "modified" in text, f"drifted objects: {text[:500]}")
    expect("/spec/description" in cells(driver, "Field"), f"drifted fields {cells(driver, 'Field')}")
    expect(any("Kept by the team-data source." in c for c in cells(driver, "Desired (git)")), "desired value missing")
    expect(any("Changed by hand." in c for c in cells(driver, "Live (server)")), "live value missing")
    expect("Last changed by" in text, "who changed it is missing")
    check_page(driver, "drift")
    driver.get(BASE + "/ui/drift?source=no-such-source")
    expect(not driver.find_elements(By.CSS_SELECTOR, "article.drift"), "the source filter shows other sources' drift")


def crawl(cookie):
    """Every link reachable from /ui/ (same origin), each fetched: none may answer 4xx or 5xx."""
    seen, queue, pages = set(), ["/ui/"], 0
    while queue and pages < 300:
        target = queue.pop(0)
        if target in seen:
            continue
        seen.add(target)
        status, headers, text = raw("GET", target, cookie=cookie)
        pages += 1
        expect(status < 400, f"crawl: {target} answered {status}")
        expect(status != 303 or target == "/ui", f"crawl: {target} redirected (session lost?)")
        if dict((k.lower(), v) for k, v in headers).get("content-type", "").startswith("text/html"):
            parser = Links()
            parser.feed(text)
            for href in parser.found:
                url = urllib.parse.urljoin(target, href)
                parsed = urllib.parse.urlparse(url)
                if parsed.netloc and parsed.netloc != HOST.netloc:
                    continue
                local = parsed.path + ("?" + parsed.query if parsed.query else "")
                if local.startswith("/ui") and local not in seen:
                    queue.append(local)
    expect(pages >= 15, f"crawl: only {pages} pages reached")
    return pages


def main():
    os.makedirs(OUT, exist_ok=True)
    driver = browser()
    try:
        # Not signed in: every page sends the browser to the sign-in form.
        driver.get(BASE + "/ui/datasets")
        heading(driver)
        expect(path_of(driver) == "/ui/sign-in", f"unauthenticated /ui/datasets went to {driver.current_url}")
        check_page(driver, "sign-in")
        sign_in(driver, "not-a-key-of-this-server")
        expect(path_of(driver) == "/ui/sign-in", "a wrong key signed in")
        expect("did not accept" in driver.find_element(By.CSS_SELECTOR, ".notice.error").text, "no error for a wrong key")
        check_page(driver, "sign-in-refused", status_error=True)

        # Admin signs in.
        sign_in(driver, ADMIN_KEY)
        expect(heading(driver) == "Overview", f"after sign-in: {heading(driver)}")
        cookie = driver.get_cookie("dp_ui_session")
        expect(cookie is not None, "no session cookie")
        expect(cookie and cookie.get("httpOnly") is True, f"session cookie not HttpOnly: {cookie}")
        expect(cookie and cookie.get("sameSite") == "Strict", f"session cookie not SameSite=Strict: {cookie}")
        expect(cookie and cookie.get("path") == "/ui", f"session cookie path: {cookie}")
        expect(ADMIN_KEY not in driver.current_url, "the key is in the URL")
        session = f"dp_ui_session={cookie['value']}"
        expect(ADMIN_KEY not in cookie["value"], "the key is in the cookie")

        # Overview: the chain and the counts.
        expect("valid" in driver.find_element(By.ID, "chain-status").text, "chain status not valid")
        numbers = {card.find_element(By.CSS_SELECTOR, "div:last-child").text: card.find_element(By.CLASS_NAME, "number").text
                   for card in driver.find_elements(By.CLASS_NAME, "card")}
        expect(numbers.get("Datasets") == "3", f"overview counts {numbers}")
        expect(numbers.get("Dataset versions") == "4", f"overview counts {numbers}")
        expect(numbers.get("Runs") == "2", f"overview counts {numbers}")
        expect(numbers.get("runs queued") == "2" and numbers.get("runs running") == "0", f"overview counts {numbers}")
        expect(SOURCE in cells(driver, "Source"), f"overview sources {cells(driver, 'Source')}")
        check_page(driver, "overview")

        # Datasets: list, label filter, paging.
        click_link(driver, "Datasets")
        expect(set(cells(driver, "Name")) == {"churn", "product-events", "support-tickets"}, f"datasets {cells(driver, 'Name')}")
        check_page(driver, "datasets")
        field = driver.find_element(By.ID, "filter-label")
        field.clear()
        field.send_keys("team=growth")
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        WebDriverWait(driver, WAIT).until(lambda d: "label=" in d.current_url)
        expect(set(cells(driver, "Name")) == {"churn", "product-events"}, f"label filter team=growth: {cells(driver, 'Name')}")
        check_page(driver, "datasets-filtered")
        driver.get(BASE + "/ui/datasets?page_size=2")
        first = cells(driver, "Name")
        expect(len(first) == 2, f"page 1 of 2: {first}")
        click_link(driver, "Next page")
        second = cells(driver, "Name")
        expect(len(second) == 1 and not set(second) & set(first), f"page 2: {second} after {first}")
        check_page(driver, "datasets-page-2")
        click_link(driver, "First page")
        expect(cells(driver, "Name") == first, "First page is not the first page")

        # Dataset -> version -> evaluation.
        driver.get(BASE + "/ui/datasets")
        click_link(driver, "churn")
        expect(heading(driver) == "Dataset churn", heading(driver))
        page = driver.find_element(By.TAG_NAME, "main").text
        expect("customer_id" in page and "monthly_spend" in page, "schema columns missing")
        expect("growth-analytics@example.com" in page, "owner missing")
        digests = [e.get_attribute("data-copy") for e in driver.find_elements(By.CSS_SELECTOR, "code.digest")]
        expect(len(digests) >= 2 and all(re.fullmatch(r"[0-9a-f]{64}", d) for d in digests), f"version digests {digests}")
        expect(all("bytes" in size for size in cells(driver, "Size")), "version sizes missing")
        expect(len(driver.find_elements(By.CSS_SELECTOR, "button.copy")) >= 2, "the script added no copy buttons")
        check_page(driver, "dataset-churn")
        click_link(driver, "churn-2026-10")
        expect(heading(driver) == "Version churn-2026-10", heading(driver))
        expect(driver.find_elements(By.ID, "evaluate"), "admin sees no Evaluate button")
        check_page(driver, "version-churn-2026-10")
        evaluations = driver.find_elements(By.CSS_SELECTOR, "table tbody tr td:first-child a")
        expect(evaluations, "no evaluations on the version page")
        evaluation_path = urllib.parse.urlparse(evaluations[0].get_attribute("href")).path
        evaluations[0].click()
        WebDriverWait(driver, WAIT).until(lambda d: path_of(d) == evaluation_path)
        expect(heading(driver).startswith("Evaluation "), heading(driver))
        outcomes = cells(driver, "Outcome")
        expect(outcomes and all(o in OUTCOMES for o in outcomes), f"check outcomes {outcomes}")
        expect(driver.find_element(By.ID, "evaluation-outcome").text in OUTCOMES, "no evaluation outcome")
        report = driver.find_element(By.LINK_TEXT, "Download the full report (JSON)").get_attribute("href")
        status, _, text = raw("GET", urllib.parse.urlparse(report).path, cookie=session)
        expect(status == 200 and json.loads(text).get("checks"), f"the evaluation's report: {status} {text[:200]}")
        check_page(driver, "evaluation")

        # Quality: the rules, a rule's checks and the latest outcome of each on each version, with admission.
        click_link(driver, "Quality")
        expect("churn-hygiene" in cells(driver, "Rule"), f"rules {cells(driver, 'Rule')}")
        check_page(driver, "quality")
        click_link(driver, "churn-hygiene")
        expect(heading(driver) == "Quality rule churn-hygiene", heading(driver))
        expect("known-plans" in [c.strip() for c in cells(driver, "Check")], f"checks {cells(driver, 'Check')}")
        expect(set(cells(driver, "Admission")) <= {"Admitted", "Pending", "Evaluating"} and cells(driver, "Admission"),
               f"admission {cells(driver, 'Admission')}")
        expect(any(o in OUTCOMES for o in cells(driver, "known-plans")), f"outcomes {cells(driver, 'known-plans')}")
        check_page(driver, "quality-rule")

        # Runs: the list with states, a run's params, metrics and events, its inputs linked to versions.
        click_link(driver, "Runs")
        expect(set(cells(driver, "Run")) == {"churn-baselines-gbm", "churn-baselines-logreg"}, f"runs {cells(driver, 'Run')}")
        expect(set(cells(driver, "State")) == {"QUEUED"}, f"run states {cells(driver, 'State')}")
        expect(any("max_depth=3" in p for p in cells(driver, "Params")), f"run params {cells(driver, 'Params')}")
        expect("loss=0.4" in cells(driver, "Metrics") and set(cells(driver, "Duration")) == {"—"},
               f"run metrics {cells(driver, 'Metrics')} durations {cells(driver, 'Duration')}")
        check_page(driver, "runs")
        # Experiments: the list, and one experiment's runs compared by its objective.
        click_link(driver, "Experiments")
        expect("churn-baselines" in cells(driver, "Name"), f"experiments {cells(driver, 'Name')}")
        check_page(driver, "experiments")
        click_link(driver, "churn-baselines")
        expect(heading(driver) == "Experiment churn-baselines", heading(driver))
        expect(set(cells(driver, "Run")) == {"churn-baselines-gbm", "churn-baselines-logreg"}, f"experiment runs {cells(driver, 'Run')}")
        expect("auc (maximize)" in driver.find_element(By.ID, "experiment-objective").text, "objective missing")
        check_page(driver, "experiment")
        click_link(driver, "Runs")
        click_link(driver, "churn-baselines-gbm")
        expect(heading(driver) == "Run churn-baselines-gbm", heading(driver))
        page = driver.find_element(By.TAG_NAME, "main").text
        expect("gradient_boosting" in page and "ghcr.io/acme/churn-train:1.4" in page, "run params or image missing")
        expect(cells(driver, "Metric") == ["loss"] and cells(driver, "Latest value") == ["0.4"], f"metrics {cells(driver, 'Metric')}")
        expect(cells(driver, "Message") == ["epoch 2 done"], f"events {cells(driver, 'Message')}")
        # The loss over its steps, as SVG drawn on the server: two points, described in words.
        series = driver.find_elements(By.CSS_SELECTOR, "svg.chart polyline.series")
        expect(len(series) == 1 and len(series[0].get_attribute("points").split()) == 2, "no loss chart of two points")
        description = driver.find_element(By.CSS_SELECTOR, "svg.chart desc").get_attribute("textContent") if series else ""
        expect("from step 1 to 2" in description and "first 0.5, last 0.4" in description, f"chart description {description}")
        check_page(driver, "run-gbm")

        # Lineage: the run's graph as SVG, its edges as a table, a node re-centres the graph.
        click_link(driver, "Lineage of this run")
        nodes = [e.get_attribute("data-node") for e in driver.find_elements(By.CSS_SELECTOR, "svg a.node")]
        expect("run/churn-baselines-gbm" in nodes and "datasetversion/churn-2026-09" in nodes, f"lineage nodes {nodes}")
        expect(len(driver.find_elements(By.CSS_SELECTOR, "svg path.edge")) == len(cells(driver, "Relation")) > 0, "lineage edges")
        check_page(driver, "lineage-run")
        driver.find_element(By.CSS_SELECTOR, 'svg a.node[data-node="datasetversion/churn-2026-09"] text').click()
        WebDriverWait(driver, WAIT).until(lambda d: "node=datasetversion%2Fchurn-2026-09" in d.current_url)
        nodes = [e.get_attribute("data-node") for e in driver.find_elements(By.CSS_SELECTOR, "svg a.node")]
        expect("dataset/churn" in nodes or "run/churn-baselines-gbm" in nodes, f"re-centred lineage nodes {nodes}")
        check_page(driver, "lineage-version")
        # Zoom and pan (the script): the buttons change the SVG's viewBox, Reset puts it back.
        graph = driver.find_element(By.CSS_SELECTOR, "svg.lineage")
        initial = graph.get_dom_attribute("viewBox")
        wait_for(driver, (By.ID, "graph-zoom-in")).click()
        zoomed = graph.get_dom_attribute("viewBox")
        expect(float(zoomed.split()[2]) < float(initial.split()[2]), f"Zoom in: viewBox {initial} -> {zoomed}")
        driver.find_element(By.ID, "graph-pan-right").click()
        panned = graph.get_dom_attribute("viewBox")
        expect(float(panned.split()[0]) > float(zoomed.split()[0]), f"Pan right: viewBox {zoomed} -> {panned}")
        driver.find_element(By.ID, "graph-zoom-out").click()
        expect(float(graph.get_dom_attribute("viewBox").split()[2]) > float(panned.split()[2]), "Zoom out left the viewBox")
        driver.find_element(By.ID, "graph-reset").click()
        expect(graph.get_dom_attribute("viewBox") == initial, f"Reset: viewBox {graph.get_dom_attribute('viewBox')}, first {initial}")
        check_page(driver, "lineage-zoom-buttons")
        driver.get(BASE + "/ui/runs/churn-baselines-gbm")
        click_link(driver, "churn-2026-09")
        expect(heading(driver) == "Version churn-2026-09", f"run input link: {heading(driver)}")

        # Evidence: the logreg run finished and a bundle built; its page shows the verifier's badge,
        # the checks dpctl evidence verify makes.
        for state in ("RUNNING", "SUCCEEDED"):
            status, text = api_send("PUT", "/api/experiment-runs/churn-baselines-logreg/state", {"state": state})
            expect(status == 200, f"run state {state}: {status} {text}")
        status, text = api_send("POST", "/api/experiment-runs/churn-baselines-logreg/evidence-bundles")
        expect(status == 201, f"evidence bundle: {status} {text}")
        driver.get(BASE + "/ui/runs/churn-baselines-logreg")
        badge = driver.find_elements(By.ID, "evidence-badge")
        expect(badge and badge[0].text == "verified", f"evidence badge {[b.text for b in badge]}: {driver.find_element(By.TAG_NAME, 'main').text[-1500:]}")
        checks = cells(driver, "Check")
        expect("audit anchor" in checks and any(c.startswith("signature") for c in checks), f"evidence checks {checks}")
        expect(set(cells(driver, "Result")) == {"passed"}, f"evidence check results {cells(driver, 'Result')}")
        check_page(driver, "run-evidence")

        # "Evaluate now" (a state-changing form, with the script's confirmation).
        driver.get(BASE + "/ui/datasets/churn/versions/churn-2026-10")
        before = len(api("/api/evaluations?datasetVersion=churn-2026-10", ADMIN_KEY)["items"])
        driver.find_element(By.ID, "evaluate").click()
        WebDriverWait(driver, WAIT).until(expected_conditions.alert_is_present()).accept()
        WebDriverWait(driver, WAIT).until(lambda d: path_of(d).startswith("/ui/evaluations/"))
        after = len(api("/api/evaluations?datasetVersion=churn-2026-10", ADMIN_KEY)["items"])
        expect(after == before + 1, f"Evaluate now: {before} -> {after} evaluations")
        check_page(driver, "evaluation-new", axe=False)

        # Forged posts: no CSRF token, a wrong one, no session. Nothing changes.
        target = "/ui/datasets/churn/versions/churn-2026-10/evaluate"
        for name, cookie_header, body in [("no token", session, ""), ("wrong token", session, "csrf=forged"),
                                          ("no session", None, "csrf=forged")]:
            status, _, text = raw("POST", target, cookie=cookie_header, body=body)
            expect(status == 403, f"forged post ({name}) answered {status}")
        status, _, _ = raw("POST", "/ui/sign-out", cookie=session, body="")
        expect(status == 403, f"sign-out without the CSRF token answered {status}")
        expect(len(api("/api/evaluations?datasetVersion=churn-2026-10", ADMIN_KEY)["items"]) == after, "a forged post evaluated")

        # Headers of every answer.
        status, headers, _ = raw("GET", "/ui/", cookie=session)
        fields = {k.lower(): v for k, v in headers}
        policy = fields.get("content-security-policy", "")
        expect(status == 200, f"/ui/ with the session cookie: {status}")
        expect("script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy,
               f"CSP {policy}")
        expect(fields.get("x-content-type-options") == "nosniff", "no nosniff")
        expect(fields.get("cache-control") == "no-store", "pages may be cached")
        _, headers, _ = raw("GET", "/ui/sign-in", headers={"X-Forwarded-Proto": "https"})
        cookies = [v for k, v in headers if k.lower() == "set-cookie"]
        expect(cookies and all("Secure" in c and "HttpOnly" in c and "SameSite=Strict" in c for c in cookies),
               f"behind TLS: {cookies}")

        # Audit: chain, events, filters, paging.
        click_link(driver, "Audit")
        expect("valid" in driver.find_element(By.ID, "chain-status").text, "audit chain not valid")
        expect(len(cells(driver, "Sequence")) > 10, "too few audit events")
        check_page(driver, "audit")
        field = driver.find_element(By.ID, "filter-resource")
        field.send_keys("dataset/churn")
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        WebDriverWait(driver, WAIT).until(lambda d: "resource=" in d.current_url)
        resources = cells(driver, "Resource")
        expect(resources and set(resources) == {"dataset/churn"}, f"resource filter: {resources}")
        check_page(driver, "audit-filtered")
        driver.get(BASE + "/ui/audit?action=create&page_size=5")
        first = cells(driver, "Sequence")
        expect(len(first) == 5 and set(cells(driver, "Action")) == {"create"}, f"audit page 1 {first} {cells(driver, 'Action')}")
        click_link(driver, "Next page")
        second = cells(driver, "Sequence")
        expect(second and int(second[0]) < int(first[-1]) and set(cells(driver, "Action")) == {"create"},
               f"audit page 2 {second} after {first}")
        check_page(driver, "audit-page-2")
        # An event's page: the hand-made change of the source's experiment, before and after side by side.
        driver.get(BASE + "/ui/audit?resource=experiment%2Fui-probe&action=update")
        updates = driver.find_elements(By.CSS_SELECTOR, "table tbody tr td:first-child a")
        expect(updates, "no update event of experiment/ui-probe")
        sequence = updates[-1].text
        updates[-1].click()
        WebDriverWait(driver, WAIT).until(lambda d: path_of(d) == f"/ui/audit/{sequence}")
        expect(heading(driver) == f"Audit event {sequence}", heading(driver))
        expect("spec.description" in cells(driver, "Field"), f"event fields {cells(driver, 'Field')}")
        row = cells(driver, "Field").index("spec.description") if "spec.description" in cells(driver, "Field") else 0
        expect(cells(driver, "Before")[row:row + 1] == ["Kept by the team-data source."]
               and cells(driver, "After")[row:row + 1] == ["Changed by hand."],
               f"before/after {cells(driver, 'Before')} {cells(driver, 'After')}")
        check_page(driver, "audit-event")
        # The time filters: a time in the future lists nothing; what is no time is named.
        driver.get(BASE + "/ui/audit")
        field = driver.find_element(By.ID, "filter-since")
        field.send_keys("2999-01-01T00:00")
        driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
        WebDriverWait(driver, WAIT).until(lambda d: "since=" in d.current_url)
        expect(not cells(driver, "Sequence"), f"events after 2999: {cells(driver, 'Sequence')}")
        driver.get(BASE + "/ui/audit?until=tomorrow")
        notices = [n.text for n in driver.find_elements(By.CSS_SELECTOR, ".notice.error")]
        expect(any("Until:" in n and "is not a time" in n for n in notices), f"a bad time is not named: {notices}")
        check_page(driver, "audit-bad-time")
        # The whole chain, on demand.
        driver.find_element(By.ID, "filter-until")  # the form is still there
        driver.get(BASE + "/ui/")
        click_link(driver, "Verify the whole chain now")
        expect("every entry" in driver.find_element(By.ID, "chain-scope").text, "the whole chain was not walked")
        expect("valid" in driver.find_element(By.ID, "chain-status").text, "the whole chain is not valid")
        check_page(driver, "audit-verify")
        # A version's bytes through the UI's download link are the API's.
        driver.get(BASE + "/ui/datasets/churn/versions/churn-2026-10")
        link = driver.find_element(By.LINK_TEXT, "Download").get_attribute("href")
        status, headers, text = raw("GET", urllib.parse.urlparse(link).path, cookie=session)
        fields = {k.lower(): v for k, v in headers}
        expect(status == 200 and "attachment" in fields.get("content-disposition", ""), f"download: {status} {fields}")
        connection = http.client.HTTPConnection(API.hostname, API.port, timeout=WAIT)
        connection.request("GET", "/api/datasets/churn/versions/churn-2026-10/download", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        expect(connection.getresponse().read().decode("utf-8", "replace") == text, "the UI's download differs from the API's")
        connection.close()
        # A run without run.log says so.
        driver.get(BASE + "/ui/runs/churn-baselines-gbm")
        expect("No run.log" in driver.find_element(By.ID, "run-log").text, "the run page does not say there is no run.log")

        # Sources and drift.
        sources_and_drift(driver, session)

        # Not found, inside the UI.
        driver.get(BASE + "/ui/datasets/no-such-dataset")
        expect(heading(driver) == "Refused" and "Not found" in driver.find_element(By.TAG_NAME, "main").text, "missing dataset")
        check_page(driver, "not-found", status_error=True)

        # Markup in what a page shows (a filter, a name in an error) is text, never markup.
        payload = '"><img src=x onerror="document.title=1"><script>document.title=2</script>'
        quoted = urllib.parse.quote(payload, safe="")
        driver.get(BASE + "/ui/audit?actor=" + quoted)
        expect(driver.find_element(By.ID, "filter-actor").get_attribute("value") == payload, "the actor filter is not echoed as text")
        check_page(driver, "audit-markup-filter")
        driver.get(BASE + "/ui/datasets/" + quoted)
        # (The API names the missing dataset as it got it in the path, percent-encoded.)
        expect("Not found" in driver.find_element(By.TAG_NAME, "main").text, "a missing dataset with markup in its name")
        expect(not driver.find_elements(By.CSS_SELECTOR, "main img"), "markup from the URL became an element")
        check_page(driver, "not-found-markup", status_error=True)

        # A dot segment as a name does not reach another API route.
        status, _, _ = raw("GET", "/ui/datasets/%2E%2E", cookie=session)
        expect(status == 404, f"/ui/datasets/%2E%2E answered {status}")

        # Every link, as the admin.
        print("crawled", crawl(session), "pages", flush=True)

        # Sign out: the cookie's session is gone on the server too.
        driver.get(BASE + "/ui/")
        driver.find_element(By.CSS_SELECTOR, "header form button[type=submit]").click()
        WebDriverWait(driver, WAIT).until(lambda d: path_of(d) == "/ui/sign-in")
        status, headers, _ = raw("GET", "/ui/", cookie=session)
        expect(status == 303 and dict((k.lower(), v) for k, v in headers).get("location") == "/ui/sign-in",
               f"the old session still works: {status}")

        # A viewer: read-only pages, and the gateway refuses its posts even with a valid CSRF token.
        driver.delete_all_cookies()
        sign_in(driver, VIEWER_KEY)
        expect(heading(driver) == "Overview", "viewer did not sign in")
        expect("(viewer)" in driver.find_element(By.CSS_SELECTOR, "header .who").text, "viewer role not shown")
        for page in ["/ui/", "/ui/datasets", "/ui/datasets/churn", "/ui/datasets/churn/versions/churn-2026-10", "/ui/quality",
                     "/ui/quality/churn-hygiene", "/ui/runs",
                     "/ui/runs/churn-baselines-gbm", "/ui/lineage?node=dataset%2Fchurn", "/ui/audit",
                     "/ui/sources", f"/ui/sources/{SOURCE}", "/ui/drift"]:
            driver.get(BASE + page)
            heading(driver)
            posts = [f.get_attribute("action") for f in driver.find_elements(By.CSS_SELECTOR, "form[method=post]")]
            expect(all(urllib.parse.urlparse(a).path == "/ui/sign-out" for a in posts), f"viewer sees action forms on {page}: {posts}")
            expect(not driver.find_elements(By.ID, "evaluate"), f"viewer sees Evaluate on {page}")
            expect(not driver.find_elements(By.CSS_SELECTOR, "[id^=source-sync], [id^=source-suspend], [id^=source-resume]"),
                   f"viewer sees source controls on {page}")
        check_page(driver, "viewer-version")
        csrf = driver.find_element(By.CSS_SELECTOR, "header form input[name=csrf]").get_attribute("value")
        viewer = f"dp_ui_session={driver.get_cookie('dp_ui_session')['value']}"
        status, _, text = raw("POST", target, cookie=viewer, body="csrf=" + urllib.parse.quote(csrf))
        expect(status == 403 and "viewer" in text, f"viewer's evaluate answered {status}")
        # The viewer's sync, with a valid CSRF token: refused by the gateway, nothing audited.
        synced = len(api(f"/api/audit/events?resource=source%2F{SOURCE}&action=source-sync", ADMIN_KEY)["items"])
        status, _, text = raw("POST", f"/ui/sources/{SOURCE}/sync", cookie=viewer, body="csrf=" + urllib.parse.quote(csrf))
        expect(status == 403 and "viewer" in text, f"viewer's sync answered {status}")
        expect(api_post(f"/api/reconciler/sources/{SOURCE}/sync", VIEWER_KEY) == 403, "the viewer's key synced through the gateway")
        expect(len(api(f"/api/audit/events?resource=source%2F{SOURCE}&action=source-sync", ADMIN_KEY)["items"]) == synced,
               "a viewer's sync was audited")
    finally:
        quit(driver)

    # JavaScript off: every read page still works.
    plain = browser(javascript=False)
    try:
        sign_in(plain, ADMIN_KEY)
        for page, text in [("/ui/", "Audit chain"), ("/ui/datasets?label=team%3Dgrowth", "product-events"),
                           ("/ui/datasets/churn", "customer_id"), ("/ui/datasets/churn/versions/churn-2026-09", "SHA-256"),
                           ("/ui/runs/churn-baselines-gbm", "epoch 2 done"), ("/ui/audit?resource=dataset%2Fchurn", "dataset/churn"),
                           (f"/ui/sources/{SOURCE}", "Sync history"), ("/ui/drift", "experiment/ui-probe")]:
            plain.get(BASE + page)
            heading(plain)
            expect(text in plain.find_element(By.TAG_NAME, "main").text, f"JavaScript off: {page} lacks {text}")
            expect(not plain.find_elements(By.CSS_SELECTOR, "button.copy"), "the script ran with JavaScript off")
        check_page(plain, "no-javascript-dataset", axe=False)
        # The lineage graph without the script: drawn whole with its edges and their table, no zoom buttons.
        plain.get(BASE + "/ui/lineage?node=run%2Fchurn-baselines-gbm")
        heading(plain)
        nodes = [e.get_attribute("data-node") for e in plain.find_elements(By.CSS_SELECTOR, "svg a.node")]
        expect("run/churn-baselines-gbm" in nodes and "datasetversion/churn-2026-09" in nodes, f"JavaScript off: lineage nodes {nodes}")
        expect(len(plain.find_elements(By.CSS_SELECTOR, "svg path.edge")) == len(cells(plain, "Relation")) > 0,
               "JavaScript off: lineage edges")
        expect(not plain.find_elements(By.CSS_SELECTOR, ".graph-tools button"), "JavaScript off: zoom buttons shown")
        check_page(plain, "no-javascript-lineage", axe=False)
    finally:
        quit(plain)

    print(f"{len(shots)} screenshots in {OUT}", flush=True)
    if failures:
        print(f"{len(failures)} failed expectations", flush=True)
        sys.exit(1)
    print("all UI checks passed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except TimeoutException as error:
        # Where it waited and what each browser showed then, for whoever reads the failure.
        where = [line.strip() for line in traceback.format_exc().splitlines() if "ui_browser.py" in line][-1:]
        print("FAIL: timed out waiting:", error, where, flush=True)
        for index, driver in enumerate(DRIVERS):
            try:
                shot = os.path.join(OUT, f"failure-{index}.png")
                driver.save_screenshot(shot)
                notices = [n.text for n in driver.find_elements(By.CSS_SELECTOR, ".notice")]
                print(f"  browser {index}: {driver.current_url} notices={notices} screenshot={shot}", flush=True)
            except Exception as other:  # a browser already closed
                print(f"  browser {index}: {other.__class__.__name__}", flush=True)
        sys.exit(1)
