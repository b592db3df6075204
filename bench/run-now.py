"""Times a linkage run asked from /doublons on a served store (as the SIAO demo account), and
/menages before, while and after it computes:

    python3 bench/run-now.py http://127.0.0.1:8098
"""
import http.cookiejar, re, statistics, sys, time, urllib.parse, urllib.request

base = sys.argv[1]
jar = http.cookiejar.CookieJar()
op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
post_op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

def get(path):
    t = time.perf_counter()
    body = op.open(base + path).read().decode()
    return body, (time.perf_counter() - t) * 1000

def post(path, data):
    req = urllib.request.Request(base + path, urllib.parse.urlencode(data).encode())
    try:
        r = post_op.open(req)
        return r.status, r.headers.get("location")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("location")

body, _ = get("/login")
csrf = re.search(r'name="csrf" value="([^"]+)"', body)
form = {"email": "siao@demo.parcours.test", "password": "demo"}
if csrf:
    form["csrf"] = csrf.group(1)
print("login", post("/login", form))
get("/menages")
idle = [get("/menages")[1] for _ in range(7)]
body, _ = get("/doublons")
csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
t0 = time.perf_counter()
print("ask", post("/doublons/rapprochement", {"csrf": csrf}))
during = []
while True:
    body, ms = get("/doublons")
    if "Un rapprochement est en cours" not in body:
        break
    during.append(get("/menages")[1])
    time.sleep(0.1)
done = time.perf_counter() - t0
after = [get("/menages")[1] for _ in range(7)]
print(f"run asked -> queue fresh: {done:.2f} s")
print(f"/menages idle: median {statistics.median(idle):.0f} ms over {len(idle)}")
print(f"/menages during the run: median {statistics.median(during) if during else float('nan'):.0f} ms, max {max(during) if during else float('nan'):.0f} ms over {len(during)}")
print(f"/menages after: first {after[0]:.0f} ms, median {statistics.median(after):.0f} ms")
