#!/usr/bin/env python3
"""Writes the hostile-input corpus of cmd/shiftsim (run from this folder:
python3 gen.py). Each case is one scenario file whose header says which
command line to run on it (# args:, the file is appended) and what the
error must name (# want:, every substring). The expected outcome is always
the same: exit 2, a short message naming the file and field, no panic and
no simulation started."""
import os, json

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

BASE = {
    "horizon": "horizon: 30m",
    "traffic": "traffic:\n  rate: 5",
    "versions": 'versions:\n  current: {version: "1", error_rate: 0.001, latency: {median: 50ms, p99: 200ms}, timeout: 3s}\n  target:  {version: "2", error_rate: 0.01}',
    "faults": "",
    "alarms": 'alarms:\n  - AlarmName: errors\n    Namespace: AWS/Lambda\n    MetricName: Errors\n    Dimensions: [{Name: FunctionName, Value: checkout}, {Name: Resource, Value: "checkout:live"}]\n    Statistic: Sum\n    Period: 60\n    EvaluationPeriods: 1\n    Threshold: 5\n    ComparisonOperator: GreaterThanOrEqualToThreshold\n    TreatMissingData: notBreaching',
    "hooks": "hooks:\n  BeforeAllowTraffic: {duration: 30s, catch_probability: 0.5}",
    "monitoring": "",
    "lambda": "",
    "slo": "",
    "deployment": "deployment:\n  start: 2m\n  strategies: [Canary10Percent5Minutes]",
}
ORDER = ["horizon", "traffic", "versions", "faults", "alarms", "hooks", "monitoring", "lambda", "slo", "deployment"]

def scen(**over):
    parts = ["name: hostile", "seed: 1", "function: {name: checkout, alias: live}"]
    for k in ORDER:
        v = over.get(k, BASE[k])
        if v:
            parts.append(v)
    return "\n".join(parts) + "\n"

ALARM = BASE["alarms"]
def alarm(**kv):
    """The base alarm with fields replaced (None removes one)."""
    lines = ALARM.split("\n")
    out = []
    for l in lines:
        key = l.strip().lstrip("- ").split(":")[0]
        if key in kv:
            if kv[key] is None:
                kv.pop(key)
                continue
            pre = l[: len(l) - len(l.lstrip())]
            if l.strip().startswith("- "):
                pre += "- "
            out.append(f"{pre}{key}: {kv.pop(key)}")
        else:
            out.append(l)
    for k, v in kv.items():
        out.append(f"    {k}: {v}")
    return "\n".join(out)

def fault(body):
    return "faults:\n  - {version: target, " + body + "}"

cases = []
def case(name, why, text, want, args="validate"):
    cases.append((name, why, text, want, args))

def rep(n, s):
    """A placeholder the test expands to s repeated n times (keeps the corpus small)."""
    return f"@@rep:{n}:{s}@@".replace("\n", "\\n")
BIG = rep(1 << 20, "x")        # 1 MiB
MAXD = "2562047h"              # the largest Go duration, in hours
HUGE = "1000000h"

# --- durations beyond every bound --------------------------------------------
for v in [MAXD, HUGE, "100000h", "10000h"]:
    case(f"horizon-{v}", "a horizon beyond any deployment: hours of CPU", scen(horizon=f"horizon: {v}"), ["horizon"])
case("horizon-maxns", "the largest duration in ns", scen(horizon="horizon: 9223372036854775807ns"), ["horizon"])
for v in [MAXD, HUGE, "1000h"]:
    case(f"deploy-start-{v}", "a deployment start far out", scen(deployment=f"deployment:\n  start: {v}\n  strategies: [Canary10Percent5Minutes]"), ["deployment.start"])
case("deploy-start-max-nohorizon", "start + plan + 10m overflows the default horizon",
     scen(horizon="", deployment=f"deployment:\n  start: {MAXD}\n  strategies: [Canary10Percent5Minutes]"), ["deployment.start"])
for v in [MAXD, HUGE, "10000h", "2h"]:
    case(f"metric-delay-{v}", "metric delay sizes the ring: OOM", scen(monitoring=f"monitoring:\n  metric_delay: {v}"), ["monitoring.metric_delay"])
for v in ["1ns", "1us", "1ms", HUGE, MAXD]:
    case(f"poll-interval-{v}", "a poll every nanosecond: CPU for hours", scen(monitoring=f"monitoring:\n  alarm_poll_interval: {v}"), ["monitoring.alarm_poll_interval"])
for h in ["BeforeAllowTraffic", "AfterAllowTraffic"]:
    for v in [MAXD, HUGE, "2h"]:
        case(f"hook-{h}-duration-{v}", "a hook runs past CodeDeploy's hour", scen(hooks=f"hooks:\n  {h}: {{duration: {v}}}"), [f"hooks.{h}.duration"])
    for v in [MAXD, "2h", "1h1s"]:
        case(f"hook-{h}-timeout-{v}", "CodeDeploy waits at most an hour", scen(hooks=f"hooks:\n  {h}: {{duration: 1s, timeout: {v}}}"), [f"hooks.{h}.timeout"])
case("hooks-both-max-nohorizon", "hook durations summed into the default horizon overflow",
     scen(horizon="", hooks=f"hooks:\n  BeforeAllowTraffic: {{duration: {MAXD}}}\n  AfterAllowTraffic: {{duration: {MAXD}}}"), ["hooks.BeforeAllowTraffic.duration"])
for fld in ["start", "end", "at", "until"]:
    for v in [MAXD, HUGE]:
        body = f"{fld}: {v}, error_rate: 0.5"
        if fld == "end":
            body = f"start: 1m, end: {v}, error_rate: 0.5"
        if fld == "until":
            body = f"at: 1m, until: {v}, error_rate: 0.5"
        case(f"fault-{fld}-{v}", "fault timing overflows deployment start + offset", scen(faults=fault(body)), [f"faults[0].{fld}"])
for v in [MAXD, HUGE, "1000h"]:
    case(f"fault-ramp-{v}", "a ramp of millions of steps: OOM", scen(faults=fault(f"ramp: {v}, error_rate: 0.5")), ["faults[0].ramp"])
for on, off in [("1ns", "1ns"), ("1ms", "1ms"), ("1us", "1h"), (MAXD, "1m"), ("1m", MAXD)]:
    case(f"fault-flaky-{on}-{off}", "a flaky fault toggling every nanosecond: billions of events",
         scen(faults=fault(f"error_rate: 0.5, flaky: {{on: {on}, off: {off}}}")), ["faults[0].flaky"])
for v in ["1000h", MAXD]:
    case(f"timeout-{v}", "a Lambda timeout beyond 900 s", scen(versions=f'versions:\n  current: {{version: "1", latency: {{median: 50ms, p99: 200ms}}, timeout: {v}}}\n  target: {{version: "2"}}'), ["versions.current.timeout"])
for med, p99 in [("1000h", "2000h"), ("50ms", MAXD), ("1h", "2h"), ("1ns", HUGE)]:
    case(f"latency-{med}-{p99}", "latencies no Lambda can have",
         scen(versions=f'versions:\n  current: {{version: "1", latency: {{median: {med}, p99: {p99}}}}}\n  target: {{version: "2"}}'), ["versions.current.latency"])
for mu, sig in [("1e300", "1"), ("-1e300", "1"), ("0", "1e300"), ("0", "1e10"), ("1e9", "0"), ("20", "0"), ("0", "50")]:
    case(f"latency-mu{mu}-sigma{sig}", "exp() overflows to Inf durations",
         scen(versions=f'versions:\n  current: {{version: "1", latency: {{mu: {mu}, sigma: {sig}}}}}\n  target: {{version: "2"}}'), ["versions.current.latency"])
case("fault-latency-mu", "a fault latency overflowing exp()", scen(faults=fault("latency: {mu: 1e9, sigma: 1}")), ["faults[0].latency"])
case("fault-latency-median", "a fault latency of 1000 h", scen(faults=fault("latency: {median: 1000h, p99: 2000h}")), ["faults[0].latency"])
case("fault-init-median", "a cold start of 1000 h",
     scen(faults=fault("init: {median: 1000h, p99: 2000h}"), lam="", **{"lambda": "lambda: {memory: 256}"}), ["faults[0].init"])
case("version-init-median", "a cold start of 1000 h",
     scen(versions='versions:\n  current: {version: "1", latency: {median: 50ms, p99: 200ms}, init: {median: 1000h, p99: 2000h}}\n  target: {version: "2"}'), ["versions.current.init"])
for v in ["1000000h", MAXD]:
    case(f"idle-timeout-{v}", "idle timeout beyond any", scen(**{"lambda": f"lambda: {{idle_timeout: {v}}}"}), ["lambda.idle_timeout"])
    case(f"slo-window-{v}", "an SLO window beyond a year", scen(slo=f"slo: {{target: 0.999, window: {v}}}"), ["slo.window"])
for v in ["1ns", "1ms", MAXD]:
    case(f"diurnal-period-{v}", "a diurnal period of a nanosecond", scen(traffic=f"traffic:\n  rate: 5\n  pattern: diurnal\n  period: {v}"), ["traffic.period"])
case("diurnal-peak-max", "a diurnal peak beyond any day", scen(traffic=f"traffic:\n  rate: 5\n  pattern: diurnal\n  peak: {MAXD}"), ["traffic.peak"])
case("weekly-origin-max", "a weekly origin beyond any week", scen(traffic=f"traffic:\n  rate: 5\n  pattern: weekly\n  origin: {MAXD}"), ["traffic.origin"])
for d in ["1ns", "1us", MAXD]:
    case(f"bursty-dwell-{d}", "phases switching every nanosecond", scen(traffic=f"traffic:\n  pattern: bursty\n  phases: [{{rate: 5, dwell: {d}}}, {{rate: 50, dwell: 1m}}]"), ["traffic.phases[0].dwell"])
for r in ["1e300", "1e17", "-5", "1e7"]:
    case(f"bursty-rate-{r}", "a phase rate beyond any", scen(traffic=f"traffic:\n  pattern: bursty\n  phases: [{{rate: {r}, dwell: 1m}}, {{rate: 50, dwell: 1m}}]"), ["traffic.phases[0].rate"])
for at, du, mu in [(MAXD, "1m", "2"), ("1m", MAXD, "2"), ("1m", "1m", "1e300"), ("1m", "1m", "-1"), ("1m", "1m", "1e9"), ("-1m", "1m", "2"), ("1m", "-1m", "2")]:
    f = "multiplier" if mu not in ("2",) else ("at" if at not in ("1m",) else "duration")
    case(f"spike-{at}-{du}-{mu}", "a spike beyond any rate or time", scen(traffic=f"traffic:\n  rate: 5\n  pattern: spikes\n  spikes: [{{at: {at}, duration: {du}, multiplier: {mu}}}]"), [f"traffic.spikes[0].{f}"])
case("spikes-many", "100 000 spikes", scen(traffic="traffic:\n  rate: 5\n  pattern: spikes\n  spikes:\n" + rep(20000, "    - {at: 1s, duration: 1s, multiplier: 2}\n") + "    - {at: 2s, duration: 1s, multiplier: 2}"), ["traffic.spikes"])
case("phases-many", "100 000 phases", scen(traffic="traffic:\n  pattern: bursty\n  phases:\n" + rep(100000, "    - {rate: 5, dwell: 1m}\n") + "    - {rate: 5, dwell: 1m}"), ["traffic.phases"])

# --- rates, counts and factors beyond every bound -----------------------------
for r in ["1e17", "1e300", "1.7976931348623157e308", "1e7", "2e6", "-1"]:
    case(f"rate-{r}", "a rate that overflows counters or underflows gaps", scen(traffic=f"traffic:\n  rate: {r}"), ["traffic.rate"])
for r in ["1e17", "1e300"]:
    case(f"rate-{r}-compare", "compare on an overflowing rate", scen(traffic=f"traffic:\n  rate: {r}"), ["traffic.rate"], "compare --quiet")
    case(f"rate-{r}-run", "run on an overflowing rate", scen(traffic=f"traffic:\n  rate: {r}"), ["traffic.rate"], "run")
for spelling in [".nan", ".NaN", ".inf", "-.inf", "+.inf", ".Inf"]:
    case(f"rate-{spelling}", "NaN and infinities", scen(traffic=f"traffic:\n  rate: {spelling}"), ["traffic.rate"])
case("error-rate-nan", "NaN probability", scen(versions='versions:\n  current: {version: "1", error_rate: .nan, latency: {median: 50ms, p99: 200ms}}\n  target: {version: "2"}'), ["versions.current.error_rate"])
case("amplitude-nan", "NaN amplitude", scen(traffic="traffic:\n  rate: 5\n  pattern: diurnal\n  amplitude: .nan"), ["traffic.amplitude"])
for v in ["1e300", "-1", "1e7"]:
    case(f"weekday-factors-{v}", "weekday factors beyond any", scen(traffic=f"traffic:\n  rate: 5\n  pattern: weekly\n  weekday_factors: [{v}, 1, 1, 1, 1, 1, 1]"), ["traffic.weekday_factors"])
for v in ["1e300", "-1", "1000"]:
    case(f"user-skew-{v}", "a Zipf exponent beyond any", scen(traffic=f"traffic:\n  rate: 5\n  users: 100\n  user_skew: {v}"), ["traffic.user_skew"])
for v in ["2147483647", "-1", "9223372036854775807"]:
    case(f"users-{v}", "a user population beyond the limit", scen(traffic=f"traffic:\n  rate: 5\n  users: {v}"), ["traffic.users"])
case("catch-nan", "NaN catch probability", scen(hooks="hooks:\n  BeforeAllowTraffic: {duration: 1s, catch_probability: .nan}"), ["hooks.BeforeAllowTraffic.catch_probability"])
case("hang-rate-nan", "NaN hang rate", scen(faults=fault("hang_rate: .nan")), ["faults[0].hang_rate"])
case("fault-users-2", "a segment beyond the population", scen(faults=fault("error_rate: 0.5, users: 2")), ["faults[0].users"])
for v in ["1e300", "1e-300", "1e9"]:
    case(f"latency-scale-{v}", "a scale that overflows durations", scen(faults=fault(f"latency_scale: {v}")), ["faults[0].latency_scale"])
for v in ["2147483647", "9223372036854775807", "100000000"]:
    case(f"account-concurrency-{v}", "an account concurrency beyond any", scen(**{"lambda": f"lambda: {{account_concurrency: {v}}}"}), ["lambda.account_concurrency"])
case("memory-max", "memory beyond Lambda's", scen(**{"lambda": "lambda: {memory: 2147483647}"}), ["lambda.memory"])
case("provisioned-huge", "provisioned concurrency beyond the account's",
     scen(versions='versions:\n  current: {version: "1", latency: {median: 50ms, p99: 200ms}, provisioned_concurrency: 2000000000}\n  target: {version: "2"}'), ["versions.current.provisioned_concurrency"])
for f, v in [("scaling_rate", "1e300"), ("scaling_burst", "1e300"), ("scaling_rate", "1e-300")]:
    case(f"{f}-{v}", "scaling beyond any", scen(**{"lambda": f"lambda: {{{f}: {v}}}"}), [f"lambda.{f}"])
for f in ["request", "gb_second"]:
    case(f"price-{f}", "a price of 1e300 USD", scen(**{"lambda": f"lambda: {{prices: {{{f}: 1e300}}}}"}), [f"lambda.prices.{f}"])
for v in ["18446744073709551616", "-1", "1e3"]:
    case(f"seed-{v}", "a seed that is not a uint64", scen().replace("seed: 1", f"seed: {v}"), ["seed"])

# --- alarms -------------------------------------------------------------------
for p in ["2147483647", "9223372036854775807", "604860", "1000000000"]:
    case(f"alarm-period-{p}", "a period beyond CloudWatch's 7 days", scen(alarms=alarm(Period=p)), ["alarms[0].Period"])
case("alarm-period-x-n-7d", "Period x EvaluationPeriods beyond 604 800 s", scen(alarms=alarm(Period="3600", EvaluationPeriods="169")), ["alarms[0].EvaluationPeriods"])
case("alarm-period-x-n-1d", "short periods x EvaluationPeriods beyond one day", scen(alarms=alarm(Period="60", EvaluationPeriods="1441")), ["alarms[0].EvaluationPeriods"])
for n in ["2147483647", "100000"]:
    case(f"alarm-n-{n}", "EvaluationPeriods beyond any", scen(alarms=alarm(EvaluationPeriods=n, DatapointsToAlarm="1")), ["alarms[0].EvaluationPeriods"])
case("alarm-m-max", "DatapointsToAlarm beyond N", scen(alarms=alarm(DatapointsToAlarm="2147483647")), ["alarms[0].DatapointsToAlarm"])
for r in ["2147483647", "100000000", "-1"]:
    case(f"alarm-range-{r}", "an evaluation range sizing a huge ring", scen(alarms=alarm(evaluation_range=r)), ["alarms[0].evaluation_range"])
case("alarm-threshold-nan", "NaN threshold", scen(alarms=alarm(Threshold=".nan")), ["alarms[0].Threshold"])
case("alarm-threshold-inf", "infinite threshold", scen(alarms=alarm(Threshold="-.inf")), ["alarms[0].Threshold"])
case("alarms-11", "11 alarms (CodeDeploy: 10)", scen(alarms="alarms:\n" + "\n".join(alarm(AlarmName=f"a{i}").split("\n", 1)[1] for i in range(11))), ["alarms"])
case("alarms-1000", "1000 alarms", scen(alarms="alarms:\n" + "\n".join(alarm(AlarmName=f"a{i}").split("\n", 1)[1] for i in range(1000))), ["alarms"])
case("alarm-name-dup-1mib", "a duplicate 1 MiB alarm name echoed back",
     scen(alarms="alarms:\n" + "\n".join(alarm(AlarmName=BIG).split("\n", 1)[1] for i in range(2))), ["alarms[0].AlarmName"])
case("alarm-name-300", "an alarm name beyond CloudWatch's 255", scen(alarms=alarm(AlarmName="n" * 300)), ["alarms[0].AlarmName"])
for fld in ["ComparisonOperator", "TreatMissingData", "Statistic", "MetricName", "Namespace", "Unit", "StateValue", "EvaluateLowSampleCountPercentile"]:
    case(f"alarm-{fld}-1mib", "a 1 MiB value echoed in the error", scen(alarms=alarm(**{fld: BIG})), [f"alarms[0].{fld}"])
case("alarm-extstat-1mib", "a 1 MiB ExtendedStatistic", scen(alarms=alarm(Statistic=None, ExtendedStatistic="p" + BIG)), ["ExtendedStatistic"])
for e in ["p1e300", "p.nan", "pNaN", "PR(1e300:)", "tm(-5%:200%)"]:
    case(f"alarm-extstat-{e}", "a percentile beyond any", scen(alarms=alarm(Statistic=None, ExtendedStatistic=json.dumps(e))), ["ExtendedStatistic"])
case("alarm-dim-name-1mib", "a 1 MiB dimension name", scen(alarms=alarm(Dimensions=f"[{{Name: {BIG}, Value: x}}]")), ["alarms[0].Dimensions[0].Name"])
case("alarm-dims-31", "31 dimensions (CloudWatch: 30)", scen(alarms=alarm(Dimensions="[" + ", ".join(f"{{Name: FunctionName, Value: v{i}}}" for i in range(31)) + "]")), ["alarms[0].Dimensions"])
MATH = 'alarms:\n  - AlarmName: m\n    Metrics:\n      - Id: e\n        MetricStat:\n          Metric: {Namespace: AWS/Lambda, MetricName: Errors, Dimensions: [{Name: FunctionName, Value: checkout}]}\n          Period: 60\n          Stat: Sum\n        ReturnData: false\n      - Id: r\n        Expression: @@\n        ReturnData: true\n    EvaluationPeriods: 1\n    Threshold: 1\n    ComparisonOperator: GreaterThanThreshold'
for nm, ex in [("1mib", "e+" + BIG), ("parens-100k", rep(100000, "(") + "e" + rep(100000, ")")), ("unary-100k", rep(100000, "-") + "e"), ("big-literal", "1e400*e"), ("nan-literal", "NaN*e"), ("long-sum", rep(100000, "e+") + "e"), ("num-1mib", rep(1 << 20, "1") + "*e")]:
    case(f"math-{nm}", "a metric-math expression built to exhaust the parser", scen(alarms=MATH.replace("@@", json.dumps(ex))), ["alarms[0].Metrics[1].Expression"])
case("math-id-1mib", "a 1 MiB Id", scen(alarms=MATH.replace("Id: e\n", f"Id: e{BIG}\n").replace("@@", "e")), ["alarms[0].Metrics"])

# --- strings echoed back -------------------------------------------------------
for nm, text, want in [
    ("strategy-1mib", scen(deployment=f"deployment:\n  start: 2m\n  strategies: [{BIG}]"), "deployment.strategies[0]"),
    ("version-1mib", scen(versions=f'versions:\n  current: {{version: "{rep(1 << 20, "9")}", latency: {{median: 50ms, p99: 200ms}}}}\n  target: {{version: "2"}}'), "versions.current.version"),
    ("fault-version-1mib", scen(faults=f"faults:\n  - {{version: {BIG}, error_rate: 0.5}}"), "faults[0].version"),
    ("pattern-1mib", scen(traffic=f"traffic:\n  rate: 5\n  pattern: {BIG}"), "traffic.pattern"),
    ("linear-model-1mib", scen(deployment=f"deployment:\n  start: 2m\n  linear_model: {BIG}\n  strategies: [Canary10Percent5Minutes]"), "deployment.linear_model"),
    ("architecture-1mib", scen(**{"lambda": f"lambda: {{architecture: {BIG}}}"}), "lambda.architecture"),
    ("unknown-key-1mib", scen() + f"{BIG}: 1\n", "invalid YAML"),
    ("function-name-1mib", scen().replace("name: checkout,", f"name: {BIG},"), "function.name"),
    ("alias-1mib", scen().replace("alias: live}", f"alias: {BIG}}}"), "function.alias"),
    ("function-name-65", scen().replace("name: checkout,", "name: " + "f" * 200 + ","), "function.name"),
    ("config-name-1mib", scen(deployment=f"deployment:\n  start: 2m\n  strategies:\n    - DeploymentConfigName: {BIG}\n      ComputePlatform: Lambda\n      TrafficRoutingConfig: {{Type: AllAtOnce}}"), "deployment.strategies[0]"),
    ("hook-function-1mib", scen(hooks=f"hooks:\n  BeforeAllowTraffic: {{duration: 1s, function: {BIG}}}"), "hooks.BeforeAllowTraffic.function"),
    ("application-1mib", scen(deployment=f"deployment:\n  start: 2m\n  application: {BIG}\n  strategies: [Canary10Percent5Minutes]"), "deployment.application"),
    ("deployment-group-1mib", scen(deployment=f"deployment:\n  start: 2m\n  deployment_group: {BIG}\n  strategies: [Canary10Percent5Minutes]"), "deployment.deployment_group"),
    ("group-1mib", scen(deployment=f"deployment:\n  start: 2m\n  group: {BIG}\n  strategies: [Canary10Percent5Minutes]"), "deployment.group"),
    ("name-1mib", scen().replace("name: hostile", f"name: {BIG}"), "name"),
]:
    case(nm, "a 1 MiB value must not be echoed back", text, [want])

# --- custom strategies beyond CodeDeploy's limits --------------------------------
def custom(body):
    return f"deployment:\n  start: 2m\n  strategies:\n    - DeploymentConfigName: c\n      ComputePlatform: Lambda\n      TrafficRoutingConfig: {body}"
for nm, body, want in [
    ("canary-interval-max", "{Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 10, CanaryInterval: 2147483647}}", "CanaryInterval"),
    ("canary-interval-i64", "{Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 10, CanaryInterval: 9223372036854775807}}", "CanaryInterval"),
    ("canary-interval-2881", "{Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 10, CanaryInterval: 2881}}", "CanaryInterval"),
    ("linear-interval-max", "{Type: TimeBasedLinear, TimeBasedLinear: {LinearPercentage: 10, LinearInterval: 2147483647}}", "LinearInterval"),
    ("linear-1pct-2880", "{Type: TimeBasedLinear, TimeBasedLinear: {LinearPercentage: 1, LinearInterval: 2880}}", "LinearInterval"),
    ("canary-pct-max", "{Type: TimeBasedCanary, TimeBasedCanary: {CanaryPercentage: 2147483647, CanaryInterval: 5}}", "CanaryPercentage"),
    ("linear-pct-neg", "{Type: TimeBasedLinear, TimeBasedLinear: {LinearPercentage: -10, LinearInterval: 5}}", "LinearPercentage"),
]:
    case(f"custom-{nm}", "a custom config beyond CodeDeploy's limits", scen(deployment=custom(body)), [want])
case("strategies-300", "300 strategies (CodeDeploy: 200 custom configs)", scen(deployment="deployment:\n  start: 2m\n  strategies:\n" + "\n".join(
    f"    - {{DeploymentConfigName: c{i}, ComputePlatform: Lambda, TrafficRoutingConfig: {{Type: TimeBasedCanary, TimeBasedCanary: {{CanaryPercentage: {1 + i % 99}, CanaryInterval: {1 + i // 99}}}}}}}" for i in range(300))), ["deployment.strategies"])

# --- YAML built to hurt -----------------------------------------------------------
laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{chr(98+i)}: &{chr(98+i)} [*{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}, *{chr(97+i)}]\n" for i in range(9))
case("yaml-billion-laughs", "alias expansion", laughs.replace("a: &a", "name: x\nq: &a") + "description: *j\n", ["too large"])
case("yaml-deep-flow", "100 000 nested lists", "name: " + rep(100000, "[") + rep(100000, "]") + "\n", ["invalid YAML"])
case("yaml-deep-block", "10 000 nested mappings", "".join(" " * i + f"k{i}:\n" for i in range(300)) + " " * 300 + "x: 1\n", ["k0"])
case("yaml-nul", "NUL bytes", "name: a\x00b\n", ["invalid YAML"])
case("yaml-binary", "binary garbage", "".join(chr(i % 256) for i in range(0, 4096, 7)), ["invalid YAML"])
case("yaml-second-doc", "two documents", scen() + "---\n" + scen(), ["second"])
case("json-nan", "a JSON scenario with a NaN literal", '{"name": "x", "traffic": {"rate": NaN}}\n', ["traffic.rate"])
case("json-1e400", "a JSON scenario with 1e400", '{"name": "x", "traffic": {"rate": 1e400}}\n', ["traffic.rate"])

# --- recordings -------------------------------------------------------------------
def alb(dur):
    return f'http 2024-03-01T12:00:00.000000Z app/lb/1 10.0.0.1:1 10.0.0.2:80 0.000 {dur} 0.000 200 200 0 1 "GET http://x/ HTTP/1.1" "c" - - arn:tg "Root=1" "-" "-" 0 2024-03-01T12:00:00.000000Z "forward" "-" "-"'
recs = {}
for nm, d in [("nan", "NaN"), ("inf", "Inf"), ("plusinf", "+Inf"), ("big", "1e300"), ("e40", "1e40"), ("day", "100000")]:
    recs[f"alb-{nm}.log"] = "".join(alb(v) + "\n" for v in ["0.010", d, "0.020"])
recs["csv-nan.csv"] = "timestamp,user_id,duration_ms\n2024-03-01T12:00:00Z,u,10\n2024-03-01T12:00:01Z,u,NaN\n"
recs["csv-inf.csv"] = "timestamp,user_id,duration_ms\n2024-03-01T12:00:00Z,u,10\n2024-03-01T12:00:01Z,u,Inf\n"
recs["csv-big.csv"] = "timestamp,user_id,duration_ms\n2024-03-01T12:00:00Z,u,10\n2024-03-01T12:00:01Z,u,1e300\n"
recs["csv-longline.csv"] = "timestamp,user_id,duration_ms\n2024-03-01T12:00:00Z," + rep(5 << 20, "u") + ",10\n"
recs["csv-years.csv"] = "timestamp,user_id,duration_ms\n1970-01-01T00:00:00Z,u,10\n2200-01-01T00:00:00Z,u,10\n"
recs["lambda-nan.log"] = "2025-01-01T00:00:00.000Z REPORT RequestId: 1\tDuration: NaN ms\tBilled Duration: 3 ms\n"
recs["cw-big.json"] = '{"Label": "Invocations", "Datapoints": [{"Timestamp": "2024-03-01T09:06:00Z", "Sum": 1e300, "Unit": "Count"}, {"Timestamp": "2024-03-01T09:07:00Z", "Sum": 5, "Unit": "Count"}]}\n'
recs["cw-17.json"] = '{"Label": "Invocations", "Datapoints": [{"Timestamp": "2024-03-01T09:06:00Z", "Sum": 1e17, "Unit": "Count"}, {"Timestamp": "2024-03-01T09:07:00Z", "Sum": 5, "Unit": "Count"}]}\n'
os.makedirs(os.path.join(OUT, "rec"), exist_ok=True)
for nm, body in recs.items():
    with open(os.path.join(OUT, "rec", nm), "w") as f:
        f.write(body)
for nm in recs:
    case(f"replay-{nm.replace('.', '-')}", "a recording with values no request can have",
         scen(traffic=f"traffic:\n  replay: {{file: rec/{nm}}}"), ["rec/" + nm], "compare --quiet")
GOOD = "rec/csv-ok.csv"
with open(os.path.join(OUT, GOOD), "w") as f:
    f.write("timestamp,user_id,duration_ms\n" + "".join(f"2024-03-01T12:{m:02d}:{s:02d}Z,u{s},{10 + s}\n" for m in range(10) for s in range(0, 60, 5)))
for fld, v in [("speed", "1e300"), ("speed", "1e-300"), ("scale", "1e300"), ("scale", "1e17"), ("reorder", "2000000000"), ("from", MAXD), ("to", MAXD), ("period", "1ns"), ("period", MAXD)]:
    case(f"replay-{fld}-{v}", "replay settings beyond any", scen(traffic=f"traffic:\n  replay: {{file: {GOOD}, {fld}: {v}}}"), [f"traffic.replay.{fld}"])
for nm, p in [("passwd", "/etc/passwd"), ("proc-self-environ", "/proc/self/environ"), ("dir", "/etc"), ("devzero", "/dev/zero"), ("devnull", "/dev/null"), ("format-1mib-path", "/" + "p" * 5000)]:
    case(f"replay-path-{nm}", "a replay of a file that is no recording: its content must not be echoed",
         scen(traffic=f"traffic:\n  replay: {{file: {p}}}"), ["traffic.replay.file"])

# --- estimated work: within every bound, but far too much ---------------------------
case("estimate-rate-horizon", "1e6 rps for 240 h, per request", scen(horizon="horizon: 240h", traffic="traffic:\n  rate: 1000000"), ["estimate"], "compare --quiet --engine per-request")
case("estimate-runs", "100 000 runs of a busy scenario", scen(horizon="horizon: 48h", traffic="traffic:\n  rate: 100000"), ["estimate"], "compare --quiet --runs 100000")
case("estimate-recommend", "recommend with 100 000 runs", scen(horizon="horizon: 48h", traffic="traffic:\n  rate: 100000"), ["estimate"], "recommend --quiet --max-failed 10 --runs 100000")
case("estimate-sweep", "sweep over huge rates", scen(horizon="horizon: 48h"), ["estimate"], "sweep --quiet --runs 10000 --vary traffic.rate=100000,200000,500000")

with open(os.path.join(OUT, "README.md"), "w") as f:
    f.write("# Hostile inputs\n\nWritten by `gen/gen.py` (python3 gen/gen.py regenerates them); replayed by\n`TestHostileCorpus` in `hostile_test.go`. Each `*.yaml` file is one case: its `# args:` line is the\ncommand line (the file is appended), its `# want:` lines what the error must name. Every case must\nexit 2 with one short line naming the file and field, with no panic and before any simulation starts.\n`flags.txt` holds the command-line cases, `rec/` the recordings the replay cases read.\n")
names = set()
for name, why, text, want, args in cases:
    fn = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) + ".yaml"
    assert fn not in names, fn
    names.add(fn)
    hdr = f"# hostile: {why}\n# args: {args}\n" + "".join(f"# want: {w}\n" for w in want)
    with open(os.path.join(OUT, fn), "w") as f:
        f.write(hdr + text)
print(len(cases), "cases")

# --- flags -----------------------------------------------------------------------------
os.makedirs(os.path.join(OUT, "ok"), exist_ok=True)
with open(os.path.join(OUT, "ok", "base.yaml"), "w") as f:
    f.write("# A valid scenario the flag cases run on.\n" + scen())
B = "ok/base.yaml"
BIG = rep(100000, "x")  # 100 kB: one exec argument may hold at most 128 KiB
FLAGS = [
    ("--runs", f"compare --quiet --runs 0 {B}"),
    ("--runs", f"compare --quiet --runs -1 {B}"),
    ("--runs", f"compare --quiet --runs 100001 {B}"),
    ("--runs", f"compare --quiet --runs 2147483648 {B}"),
    ("--runs", f"compare --quiet --runs 9223372036854775807 {B}"),
    ("--runs", f"compare --quiet --runs 1e3 {B}"),
    ("--runs", f"compare --quiet --runs {BIG} {B}"),
    ("--runs", f"recommend --quiet --max-failed 5 --runs 1000000 {B}"),
    ("--runs", f"recommend --quiet --max-failed 5 --runs 0 {B}"),
    ("--runs", f"sweep --quiet --runs 200000 --vary traffic.rate=1,2 {B}"),
    ("--runs", f"sweep --quiet --runs -5 --vary traffic.rate=1,2 {B}"),
    ("--max-failed", f"recommend --quiet --max-failed NaN {B}"),
    ("--max-failed", f"recommend --quiet --max-failed Inf {B}"),
    ("--max-failed", f"recommend --quiet --max-failed +Inf {B}"),
    ("--max-failed", f"recommend --quiet --max-failed -Inf {B}"),
    ("--max-failed", f"recommend --quiet --max-failed 1e400 {B}"),
    ("--max-failed", f"recommend --quiet --max-failed 1e300 {B}"),
    ("--confidence", f"recommend --quiet --max-failed 5 --confidence NaN {B}"),
    ("--confidence", f"recommend --quiet --max-failed 5 --confidence Inf {B}"),
    ("traffic.rate", f"sweep --quiet --runs 2 --vary traffic.rate=NaN {B}"),
    ("traffic.rate", f"sweep --quiet --runs 2 --vary traffic.rate=.inf {B}"),
    ("traffic.rate", f"sweep --quiet --runs 2 --vary traffic.rate=1e17 {B}"),
    ("traffic.rate", f"sweep --quiet --runs 2 --vary traffic.rate=1e300 {B}"),
    ("horizon", f"sweep --quiet --runs 2 --vary horizon={MAXD} {B}"),
    ("traffic.rate", f"sweep --quiet --runs 2 --vary traffic.rate={BIG} {B}"),
    ("with", f"sweep --quiet --runs 2 --vary {BIG}=1,2 {B}"),
    ("--vary", f"sweep --quiet --runs 2 --vary traffic.rate=" + rep(20000, "1,") + f"1 {B}"),
    ("--vary", f"sweep --quiet --runs 2 " + " ".join(f"--vary seed={i},{i+1},{i+2},{i+3}" for i in range(12)) + f" {B}"),
    ("--threshold", "alarm --threshold NaN --comparison '>' --datapoints 1,2"),
    ("--threshold", "alarm --threshold Inf --comparison '>' --datapoints 1,2"),
    ("--threshold", "alarm --threshold -Inf --comparison '>' --datapoints 1,2"),
    ("--threshold", "alarm --threshold 1e400 --comparison '>' --datapoints 1,2"),
    ("--evaluation-periods", "alarm --threshold 1 --comparison '>' --datapoints 1,2 --evaluation-periods 2147483647"),
    ("--evaluation-periods", "alarm --threshold 1 --comparison '>' --datapoints 1,2 --evaluation-periods 100000"),
    ("--evaluation-range", "alarm --threshold 1 --comparison '>' --datapoints 1,2 --evaluation-range 2147483647"),
    ("--evaluation-range", "alarm --threshold 1 --comparison '>' --datapoints 1,2 --evaluation-range 1000000000"),
    ("--datapoints", "alarm --threshold 1 --comparison '>' --datapoints NaN,1"),
    ("--datapoints", "alarm --threshold 1 --comparison '>' --datapoints 1,Inf"),
    ("--datapoints", "alarm --threshold 1 --comparison '>' --datapoints 1,-Inf"),
    ("--datapoints", "alarm --threshold 1 --comparison '>' --datapoints " + rep(50000, "1,") + "1"),
    ("--datapoints", f"alarm --threshold 1 --comparison '>' --datapoints 1,{BIG}"),
    ("--comparison", f"alarm --threshold 1 --comparison {BIG} --datapoints 1"),
    ("--treat-missing-data", f"alarm --threshold 1 --comparison '>' --datapoints 1 --treat-missing-data {BIG}"),
    ("--tolerance", f"judge --control {B} --experiment {B} --tolerance NaN"),
    ("--outlier-factor", f"judge --control {B} --experiment {B} --outlier-factor -Inf"),
    ("--allowed-increase", f"judge --control {B} --experiment {B} --allowed-increase Inf"),
    ("regular file", f"judge --control /dev/zero --experiment {B}"),
    ("--speed", f"demo --speed NaN {B}"),
    ("--speed", f"demo --speed Inf {B}"),
    ("--speed", f"demo --speed -5 {B}"),
    ("--speed", f"demo --speed 1e300 {B}"),
    ("--to", f"trace inspect --to {MAXD} rec/csv-ok.csv"),
    ("--from", f"trace inspect --from -1h rec/csv-ok.csv"),
    ("--period", "record --function f --alias a --out /tmp/x --period 1ns"),
    ("--period", f"record --function f --alias a --out /tmp/x --period {MAXD}"),
    ("--period", "record --function f --alias a --out /tmp/x --period -1m"),
    ("--from", "record --function f --alias a --out /tmp/x --from -2562047h"),
    ("--from", "record --function f --alias a --out /tmp/x --from -11000h"),
    ("datapoints", "record --function f --alias a --out /tmp/x --from -2000h"),
    ("--from", "record --function f --alias a --out /tmp/x --from 0001-01-01T00:00:00Z --to 9999-01-01T00:00:00Z"),
    ("--alarm-poll-interval", f"deploy --alarm-poll-interval 1us {B}"),
    ("--alarm-poll-interval", f"deploy --alarm-poll-interval -1s {B}"),
    ("--alarm-poll-interval", f"deploy --alarm-poll-interval {MAXD} {B}"),
    ("--poll-interval", f"deploy --poll-interval 1us --application a --deployment-group g {B}"),
    ("--poll-interval", f"deploy --poll-interval -1s --application a --deployment-group g {B}"),
    ("--seed", f"run --seed -1 {B}"),
    ("--seed", f"run --seed 18446744073709551616 {B}"),
    ("--strategy", f"run --strategy {BIG} {B}"),
    ("--output", f"compare --output {BIG} {B}"),
    ("--engine", f"compare --quiet --engine {BIG} {B}"),
    ("unknown command", f"{BIG}"),
    ("unknown flag", f"compare --{BIG} {B}"),
    ("format", f"trace inspect --format {BIG} rec/csv-ok.csv"),
    ("function", f"trace inspect --function {BIG} rec/csv-ok.csv"),
    ("--strategy", f"export --strategy {BIG} {B}"),
    ("--config-name", f"export --strategy Canary10Percent5Minutes --config-name {BIG} {B}"),
    ("ok/base.yaml", f"import sam --parameter {BIG}=1 ok/base.yaml"),
]
with open(os.path.join(OUT, "flags.txt"), "w") as f:
    f.write("# Command-line cases: WANT | ARGS (ARGS split on spaces, '' quotes kept literal; @@rep:N:S@@ expands to S N times).\n")
    for want, args in FLAGS:
        f.write(f"{want} | {args}\n")
print(len(FLAGS), "flag cases")
