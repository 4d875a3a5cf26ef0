// The accessibility gate's in-page half, installed (after axe.min.js) in every document an e2e
// test opens; e2e/a11y.py is the other half. Each URL path is checked once, as soon as its page
// has settled: no DOM change for QUIET_MS and no animation running (a spinner is a page still
// loading, a fading drawer has not its final colours yet). Python is asked first whether the
// path still needs a check (dedupe across reloads) and is sent the violations afterwards.
(() => {
  if (window.__violetA11y || window.top !== window) return;

  const QUIET_MS = 300;
  // WCAG 2.0 and 2.1, levels A and AA: what the project promises (docs/development.md).
  const RUN_OPTIONS = {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    resultTypes: ["violations"],
    restoreScroll: true,
  };

  let lastChange = performance.now();
  const noteChange = () => {
    lastChange = performance.now();
  };
  new MutationObserver(noteChange).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    characterData: true,
  });

  const animating = () => document.getAnimations().some((a) => a.playState === "running");
  const settled = () =>
    document.readyState === "complete" &&
    performance.now() - lastChange >= QUIET_MS &&
    !animating();

  // axe refuses to run twice at once: every run, automatic or asked for, waits its turn.
  let queue = Promise.resolve();
  const enqueue = (job) => {
    const done = queue.then(job);
    queue = done.catch(() => undefined);
    return done;
  };

  /** Run axe on the page as it is now; `stable` is false when the DOM changed meanwhile. */
  async function runAxeNow() {
    const startedAt = performance.now();
    const results = await window.axe.run(document, RUN_OPTIONS);
    const stable = lastChange < startedAt && !animating();
    const violations = results.violations.map((v) => ({
      rule: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, summary: n.failureSummary })),
    }));
    return { path: location.pathname, violations, stable };
  }

  const watched = location.protocol === "http:" || location.protocol === "https:";

  /** Check the current path if Python still wants it, and send Python the result. */
  async function checkPath(final) {
    const path = location.pathname;
    if (!watched || !(await window.__violetA11yClaim(path))) return;
    let result;
    try {
      result = await runAxeNow();
    } catch (error) {
      result = { path, violations: [], stable: false, error: String(error) };
    }
    await window.__violetA11yReport({ ...result, final });
  }

  async function watch() {
    if (settled() && typeof window.__violetA11yClaim === "function") {
      // Settled again by its turn? (an explicit check may have run meanwhile)
      await enqueue(() => (settled() ? checkPath(false) : undefined)).catch(() => undefined);
    }
    setTimeout(watch, 100);
  }

  /** Resolves once the page has settled, or after `timeoutMs` whatever its state. */
  async function settle(timeoutMs) {
    const deadline = performance.now() + timeoutMs;
    while (!settled() && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  window.__violetA11y = {
    /** For an explicit check (Python's check_a11y): axe on the page once it has settled. */
    async check(timeoutMs) {
      await settle(timeoutMs);
      return enqueue(runAxeNow);
    },
    /** For Python at the end of a test: once the page has settled, let a running check finish,
     * then check the current path if nothing did yet. */
    async finish(timeoutMs) {
      await settle(timeoutMs);
      await enqueue(() => checkPath(true));
    },
  };
  watch();
})();
