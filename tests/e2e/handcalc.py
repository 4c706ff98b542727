#!/usr/bin/python3
"""handcalc — writes the inputs and expect.csv of the hand-computed e2e folders (0001–0099).

Usage: python3 tests/e2e/handcalc.py            # (re)writes every folder it knows
       python3 tests/e2e/handcalc.py --check    # only verifies the hand arithmetic asserts

Each folder is declared below as cases, events (with the canonical kind the text must map to)
and the report options. The expected cells come from two places that must agree:
  1. the hand arithmetic written in tests/e2e/README.md, pinned here as `hand(...)` asserts;
  2. a small reading of spec/domain.md (replay + the sums of §3–§5) used to fill in the rest
     of each form's cells (mostly zeros and totals), so a subset file is not incomplete.
Any disagreement between 1 and 2 stops the script: then the README arithmetic or this reading
is wrong, and it must be settled against domain.md before anything is written.

The engine is never consulted. Folders are numbered once and never renumbered.
"""
import csv
import datetime as dt
import io
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# dates, periods
# ---------------------------------------------------------------------------------------------


def D(s):
    d, m, y = (int(x) for x in s.split("/"))
    return dt.date(y, m, d)


def add_years(d, n):
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29/02 → 28/02
        return d.replace(year=d.year + n, day=28)


def end_of_month(y, m):
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def months_window(year, n):
    S = dt.date(year - 1, 10, 1)
    idx = (year - 1) * 12 + 9 + (n - 1)
    return S, end_of_month(idx // 12, idx % 12 + 1)


def previous_window(S, E):
    Sp = add_years(S, -1)
    if E == end_of_month(E.year, E.month):
        Ep = end_of_month(E.year - 1, E.month)
    else:
        Ep = add_years(E, -1)
    return Sp, Ep


def whole_years(d, E):
    y = E.year - d.year
    if (E.month, E.day) < (d.month, d.day):
        y -= 1
    return y


# ---------------------------------------------------------------------------------------------
# the shipped rules' classifications (rules/thads-maps.rules, rules/thads.rules), for the texts
# these folders use
# ---------------------------------------------------------------------------------------------


def fold(s):
    s = unicodedata.normalize("NFD", s or "")
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn")
    return s.replace("đ", "d").replace("Đ", "D")


def rx(pat, text):
    return text is not None and text != "" and re.search(fold(pat), fold(text), re.I) is not None


def let_dinh_ky(c):
    return rx(r"\bcấp\s*dưỡng\b|\bđịnh\s*kỳ\b", c.get("nhom_viec"))


def let_khach_quan(note):
    return rx(r"\btranh\s*chấp\b|\bchờ\s*(kết\s*quả|tòa|xét\s*xử|giải\s*quyết|giám\s*định)\b"
              r"|\bkhách\s*quan\b|\bkháng\s*nghị\b|\bgiám\s*đốc\s*thẩm\b|\btái\s*thẩm\b"
              r"|\bthiên\s*tai\b|\bdịch\s*bệnh\b", note)


def let_tin_dung(c):
    return rx(r"\btín\s*dụng\b|\bngân\s*hàng\b", c.get("nhom_viec"))


def let_tham_nhung(c):
    return rx(r"\btham\s*nhũng\b|\bkinh\s*tế\b", c.get("nhom_viec"))


LOAI_AN = [("trong_tai", r"\btrọng\s*tài\b"), ("pha_san", r"\bphá\s*sản\b"),
           ("hngd", r"\bhôn\s*nhân\b|\bgia\s*đình\b|\bhngđ\b"), ("lao_dong", r"\blao\s*động\b"),
           ("kdtm", r"\bkinh\s*doanh\b|\bthương\s*mại\b|\bkdtm\b"),
           ("hanh_chinh", r"\bhành\s*chính\b"), ("hinh_su", r"\bhình\s*sự\b"),
           ("dan_su", r"\bdân\s*sự\b")]


def map_loai_an(t):
    for v, p in LOAI_AN:
        if rx(p, t):
            return v
    return "khac"


def map_hinh_thuc(t):
    if rx(r"\bchủ\s*động\b", t):
        return "chu_dong"
    if rx(r"\byêu\s*cầu\b", t):
        return "theo_yeu_cau"
    return "khac"


def map_cap(t):
    t = unicodedata.normalize("NFC", t or "")
    for v, pats in (("tinh", (r"\btỉnh\b", r"\btinh\b")),
                    ("xa", (r"\b(xã|phường|đặc\s*khu)\b", r"\b(xa|phuong|dac\s*khu)\b")),
                    ("bo_nganh", (r"\b(bộ|ngành)\b", r"\b(bo|nganh)\b"))):
        for p in pats:
            if re.search(p, t, re.I):
                return v
    return "khac"


# ---------------------------------------------------------------------------------------------
# replay (domain.md §2)
# ---------------------------------------------------------------------------------------------
TERMINAL = ("xong", "dinh_chi", "uy_thac", "thu_hoi", "chuyen_so_rieng")


class Facts:
    pass


def replay(c, evs, S, E):
    """evs: this case's events in file order, as dicts with date, kind, amount, note."""
    f = Facts()
    thu_ly = c["ngay_thu_ly"]
    O = c["O"]
    f.before = f.collected = f.reduced = 0
    cond, susp, term, tdate, note = "chua_xac_minh", None, None, None, None
    order = sorted(range(len(evs)), key=lambda i: (max(evs[i]["date"], thu_ly), i))
    for i in order:
        e = evs[i]
        d = max(e["date"], thu_ly)
        if d > E:
            break
        if term:
            continue
        if e.get("note"):
            note = e["note"]
        inp = d >= S
        owed = max(O - f.before - f.collected - f.reduced, 0)
        k = e["kind"]
        if k == "xac_minh_co_dk":
            cond = "co_dk"
        elif k == "xac_minh_chua_co_dk":
            cond = "chua_co_dk"
        elif k in ("hoan_c", "hoan", "tam_dinh_chi", "khac"):
            susp = k
        elif k == "tiep_tuc":
            susp = None
        elif k in ("thu_tien", "mien_giam"):
            take = min(e["amount"], owed)
            if not inp:
                f.before += take
            elif k == "thu_tien":
                f.collected += take
            else:
                f.reduced += take
        elif k in TERMINAL:
            term, tdate = k, d
            if k == "xong" and inp:
                f.collected += owed
        else:
            raise ValueError(k)
    f.B = O - f.before
    f.remaining = f.B - f.collected - f.reduced
    f.in_scope = thu_ly <= E and not (term and tdate < S)
    f.carried = f.in_scope and thu_ly < S
    f.new = f.in_scope and not f.carried
    f.condition, f.note, f.terminal_date = cond, note, tdate
    if not f.in_scope:
        f.state = "out"
    elif term:
        f.state = term
    elif susp == "hoan_c":
        f.state = "hoan_c"
    elif susp in ("hoan", "tam_dinh_chi"):
        f.state = "hoan_tdc"
    elif susp == "khac":
        f.state = "khac"
    elif cond == "chua_co_dk":
        f.state = "chua_co_dk"
    else:
        f.state = "dang_thi_hanh"
    # lets of thads.rules
    f.chua_xong = f.state in ("dang_thi_hanh", "hoan_c", "khac")
    loai_tru = let_dinh_ky(c) or let_khach_quan(note)
    qd = c["ngay_quyet_dinh"]
    f.tren_1_nam = f.chua_xong and add_years(qd, 1) < E and not loai_tru
    f.qua_3_nam = f.chua_xong and add_years(qd, 3) < E and not loai_tru
    f.qua_3_nam_20ty = f.qua_3_nam and O >= 20_000_000_000
    f.qua_5_nam = f.chua_xong and add_years(qd, 5) < E and not loai_tru
    f.tin_dung = let_tin_dung(c)
    f.tham_nhung = let_tham_nhung(c)
    return f


# ---------------------------------------------------------------------------------------------
# forms (domain.md §3–§5, rules/thads.rules)
# ---------------------------------------------------------------------------------------------
CO_DK = ("xong", "dinh_chi", "dang_thi_hanh", "hoan_c", "khac")


def rate(num, den):
    if den == 0:
        return None
    return (num * 10000 * 2 + den) // (2 * den)


def fmt_rate(v):
    if v is None:
        return ""
    s = "-" if v < 0 else ""
    v = abs(v)
    return "%s%d.%02d" % (s, v // 100, v % 100)


def b01(fs):
    n = lambda p: sum(1 for f in fs if p(f))
    st = lambda *s: n(lambda f: f.state in s)
    r = {}
    r["chuyen_sang"] = n(lambda f: f.carried)
    r["moi"] = n(lambda f: f.new)
    r["thu_ly"] = r["chuyen_sang"] + r["moi"]
    r["uy_thac"] = st("uy_thac")
    r["thu_hoi"] = st("thu_hoi")
    r["phai_thi_hanh"] = r["thu_ly"] - r["uy_thac"] - r["thu_hoi"]
    for s in ("xong", "dinh_chi", "dang_thi_hanh", "hoan_c", "khac", "hoan_tdc"):
        r[s] = st(s)
    r["co_dk"] = r["xong"] + r["dinh_chi"] + r["dang_thi_hanh"] + r["hoan_c"] + r["khac"]
    r["chua_co_dk"] = st("chua_co_dk", "chuyen_so_rieng")
    r["ty_le"] = rate(r["xong"] + r["dinh_chi"], r["co_dk"])
    r["chuyen_ky_sau"] = r["phai_thi_hanh"] - r["xong"] - r["dinh_chi"]
    r["co_dk_chuyen_ky_sau"] = r["co_dk"] - r["xong"] - r["dinh_chi"]
    assert r["phai_thi_hanh"] == r["co_dk"] + r["hoan_tdc"] + r["chua_co_dk"]
    cols = ["thu_ly", "chuyen_sang", "moi", "uy_thac", "thu_hoi", "phai_thi_hanh", "co_dk",
            "xong", "dinh_chi", "dang_thi_hanh", "hoan_c", "khac", "hoan_tdc", "chua_co_dk",
            "ty_le", "chuyen_ky_sau", "co_dk_chuyen_ky_sau"]
    return [(k, r[k], k == "ty_le") for k in cols]


def b02(fs):
    s = lambda val, p=lambda f: True: sum(val(f) for f in fs if p(f))
    rem = lambda *st: s(lambda f: f.remaining, lambda f: f.state in st)
    r = {}
    r["chuyen_sang"] = s(lambda f: f.B, lambda f: f.carried)
    r["moi"] = s(lambda f: f.B, lambda f: f.new)
    r["thu_ly"] = r["chuyen_sang"] + r["moi"]
    r["uy_thac"] = rem("uy_thac")
    r["thu_hoi"] = rem("thu_hoi")
    r["phai_thi_hanh"] = r["thu_ly"] - r["uy_thac"] - r["thu_hoi"]
    r["xong"] = s(lambda f: f.collected)
    r["giam"] = s(lambda f: f.reduced)
    for st in ("dinh_chi", "dang_thi_hanh", "hoan_c", "khac", "hoan_tdc"):
        r[st] = rem(st)
    r["chua_co_dk"] = rem("chua_co_dk", "chuyen_so_rieng")
    r["co_dk"] = (r["xong"] + r["dinh_chi"] + r["giam"] + r["dang_thi_hanh"] + r["hoan_c"]
                  + r["khac"])
    r["ty_le"] = rate(r["xong"] + r["dinh_chi"] + r["giam"], r["co_dk"])
    r["chuyen_ky_sau"] = r["phai_thi_hanh"] - r["xong"] - r["dinh_chi"] - r["giam"]
    r["co_dk_chuyen_ky_sau"] = r["co_dk"] - r["xong"] - r["dinh_chi"] - r["giam"]
    assert r["phai_thi_hanh"] == r["co_dk"] + r["hoan_tdc"] + r["chua_co_dk"]
    cols = ["thu_ly", "chuyen_sang", "moi", "uy_thac", "thu_hoi", "phai_thi_hanh", "co_dk",
            "xong", "dinh_chi", "giam", "dang_thi_hanh", "hoan_c", "khac", "hoan_tdc",
            "chua_co_dk", "ty_le", "chuyen_ky_sau", "co_dk_chuyen_ky_sau"]
    return [(k, r[k], k == "ty_le") for k in cols]


def b04(fs):
    out = []
    lets = ("chua_xong", "tren_1_nam", "qua_3_nam_20ty", "qua_5_nam")
    codes = ("co_dk_chua_xong", "tren_1_nam", "qua_3_nam_20ty", "qua_5_nam")
    for code, let in zip(codes, lets):
        out.append((code, sum(1 for f in fs if getattr(f, let)), False))
    for code, let in zip(codes, lets):
        out.append((code + "_tien", sum(f.remaining for f in fs if getattr(f, let)), False))
    return out


def b05(fs):
    n = lambda p: sum(1 for f in fs if p(f))
    thu_ly = len(fs)
    phai = n(lambda f: f.state not in ("uy_thac", "thu_hoi"))
    co_dk = n(lambda f: f.state in CO_DK)
    xong = n(lambda f: f.state in ("xong", "dinh_chi"))
    cr = sum(f.collected + f.reduced for f in fs)
    thu_ly_t = sum(f.B for f in fs)
    phai_t = thu_ly_t - sum(f.remaining for f in fs if f.state in ("uy_thac", "thu_hoi"))
    co_dk_t = cr + sum(f.remaining for f in fs if f.state in CO_DK)
    xong_t = cr + sum(f.remaining for f in fs if f.state == "dinh_chi")
    return [("thu_ly", thu_ly, False), ("phai_thi_hanh", phai, False), ("co_dk", co_dk, False),
            ("xong", xong, False), ("ty_le", rate(xong, co_dk), True),
            ("thu_ly_tien", thu_ly_t, False), ("phai_thi_hanh_tien", phai_t, False),
            ("co_dk_tien", co_dk_t, False), ("xong_tien", xong_t, False),
            ("ty_le_tien", rate(xong_t, co_dk_t), True)]


def th(fs, pfs):
    n = lambda xs, p: sum(1 for f in xs if p(f))
    phai = n(fs, lambda f: f.state not in ("uy_thac", "thu_hoi"))
    phai_p = n(pfs, lambda f: f.state not in ("uy_thac", "thu_hoi"))
    co_dk = n(fs, lambda f: f.state in CO_DK)
    co_dk_p = n(pfs, lambda f: f.state in CO_DK)
    xong = n(fs, lambda f: f.state in ("xong", "dinh_chi"))
    xong_p = n(pfs, lambda f: f.state in ("xong", "dinh_chi"))
    cr = sum(f.collected + f.reduced for f in fs)
    num_t = cr + sum(f.remaining for f in fs if f.state == "dinh_chi")
    den_t = cr + sum(f.remaining for f in fs if f.state in CO_DK)
    ty_le, ty_le_t = rate(xong, co_dk), rate(num_t, den_t)
    gap = lambda a, b: None if a is None else a - b
    return [("ty_le", ty_le, True), ("chi_tieu", 8450, True), ("chenh_lech", gap(ty_le, 8450), True),
            ("ty_le_cung_ky", rate(xong_p, co_dk_p), True),
            ("ty_le_tien", ty_le_t, True), ("chi_tieu_tien", 5200, True),
            ("chenh_lech_tien", gap(ty_le_t, 5200), True),
            ("phai_thi_hanh", phai, False), ("phai_thi_hanh_cung_ky", phai_p, False),
            ("phai_thi_hanh_tang_giam", phai - phai_p, False),
            ("co_dk", co_dk, False), ("co_dk_cung_ky", co_dk_p, False),
            ("co_dk_tang_giam", co_dk - co_dk_p, False),
            ("xong", xong, False), ("xong_cung_ky", xong_p, False),
            ("xong_tang_giam", xong - xong_p, False)]


def b03(rows, S, E):
    def scope(j):
        return (j["ngay_thu_ly"] <= E and not (j.get("ngay_xong") and j["ngay_xong"] < S)
                and not (j.get("ngay_huy_hoan_tdc") and j["ngay_huy_hoan_tdc"] < S))
    rs = [j for j in rows if scope(j)]
    inw = lambda d: d is not None and S <= d <= E
    cs = sum(1 for j in rs if j["ngay_thu_ly"] < S)
    ps = sum(1 for j in rs if j["ngay_thu_ly"] >= S)
    tong = cs + ps
    buoc = sum(1 for j in rs if j.get("ngay_qd_buoc") and j["ngay_qd_buoc"] <= E)
    xong = sum(1 for j in rs if inw(j.get("ngay_xong")))
    huy = sum(1 for j in rs if inw(j.get("ngay_huy_hoan_tdc")) and not inw(j.get("ngay_xong")))
    kn = sum(1 for j in rs if inw(j.get("ngay_kien_nghi")))
    return [("tong", tong, False), ("chuyen_sang", cs, False), ("phat_sinh", ps, False),
            ("buoc_thi_hanh", buoc, False), ("xong", xong, False), ("huy_hoan_tdc", huy, False),
            ("dang_thi_hanh", tong - xong - huy, False), ("ty_le", rate(xong, tong), True),
            ("kien_nghi", kn, False)]


def dcd(fs, c_of):
    ton = [f for f in fs if c_of[f]["ngay_thu_ly"] < D("01/01/2026") and f.state in CO_DK]
    xong = [f for f in ton if f.state in ("xong", "dinh_chi")]
    con = [f for f in ton if f.chua_xong]
    ton_t = sum(f.B for f in ton)
    xong_t = sum(f.collected + f.reduced for f in ton) + sum(
        f.remaining for f in ton if f.state == "dinh_chi")
    con_t = sum(f.remaining for f in con)
    assert ton_t == xong_t + con_t and len(ton) == len(xong) + len(con)
    tv, tt = rate(len(xong), len(ton)), rate(xong_t, ton_t)
    gap = lambda a, b: None if a is None else a - b
    return [("ton_viec", len(ton), False), ("ton_tien", ton_t, False),
            ("xong_viec", len(xong), False), ("xong_tien", xong_t, False),
            ("con_viec", len(con), False), ("con_tien", con_t, False),
            ("ty_le_viec", tv, True), ("chi_tieu_viec", 1500, True),
            ("chenh_lech_viec", gap(tv, 1500), True),
            ("ty_le_tien", tt, True), ("chi_tieu_tien", 1000, True),
            ("chenh_lech_tien", gap(tt, 1000), True)]


# ---------------------------------------------------------------------------------------------
# a folder
# ---------------------------------------------------------------------------------------------


class Folder:
    def __init__(self, name, args, title):
        self.name, self.args, self.title = name, args, title
        self.cases, self.events, self.thahc = [], [], []
        self.hands = []
        self.forms = None  # which forms to expect; None = the default set

    def case(self, ma, unit, thu_ly, O, qd=None, **kw):
        c = dict(ma_viec=ma, ma_don_vi=unit, ngay_thu_ly=D(thu_ly),
                 ngay_quyet_dinh=D(qd or thu_ly), O=O)
        c.update(kw)
        self.cases.append(c)
        return c

    def ev(self, ma, date, kind, text, amount=None, note=None):
        self.events.append(dict(ma_viec=ma, date=D(date), kind=kind, text=text, amount=amount,
                                note=note))

    def judgment(self, ma, unit, thu_ly, cap="", **dates):
        j = dict(ma_ban_an=ma, ma_don_vi=unit, ngay_thu_ly=D(thu_ly), cap=cap)
        for k, v in dates.items():
            j[k] = D(v) if v else None
        self.thahc.append(j)

    def hand(self, form, row, col, value):
        """A cell computed by hand in README.md; must equal the computed one."""
        self.hands.append((form, row, col, value))

    # ---- the expected cells
    def compute(self):
        a = self.args.split()
        year = int(a[a.index("--year") + 1])
        if "--months" in a:
            S, E = months_window(year, int(a[a.index("--months") + 1]))
        else:
            S, E = D(a[a.index("--from") + 1]), D(a[a.index("--to") + 1])
        Sp, Ep = previous_window(S, E)
        self.S, self.E = S, E
        evs = {c["ma_viec"]: [] for c in self.cases}
        for e in self.events:
            evs[e["ma_viec"]].append(e)
        facts, prior, c_of = [], [], {}
        for c in self.cases:
            f = replay(c, evs[c["ma_viec"]], S, E)
            p = replay(c, evs[c["ma_viec"]], Sp, Ep)
            f.unit, p.unit = c["ma_don_vi"], c["ma_don_vi"]
            f.c = p.c = c
            c_of[f] = c
            if f.in_scope:
                facts.append(f)
            if p.in_scope:
                prior.append(p)
        self.facts = facts
        units = sorted({c["ma_don_vi"] for c in self.cases}, key=lambda s: s.encode())
        cells = []

        def per_unit(form, fn, pick=lambda f: True, use_prior=False):
            for u in units + ["*"]:
                sel = [f for f in facts if (u == "*" or f.unit == u) and pick(f)]
                if use_prior:
                    ps = [f for f in prior if u == "*" or f.unit == u]
                    vals = fn(sel, ps)
                else:
                    vals = fn(sel)
                for col, v, is_rate in vals:
                    cells.append((form, u, col, fmt_rate(v) if is_rate else str(v)))

        forms = self.forms or ["TH", "B01", "B02", "B04", "B05", "B06"]
        if "DCD" in forms:
            per_unit("DCD", lambda fs: dcd(fs, c_of))
        if "TH" in forms:
            per_unit("TH", th, use_prior=True)
        if "B01" in forms:
            per_unit("B01", b01)
        if "B02" in forms:
            per_unit("B02", b02)
        if "B01-CHV" in forms:
            for u in units:
                if not any(f.unit == u for f in facts):
                    continue  # how a unit without in-scope cases shows here is layout, not tested
                chvs = sorted({f.c.get("chv", "") for f in facts if f.unit == u},
                              key=lambda s: s.encode())
                for chv in chvs:
                    for col, v, r in b01([f for f in facts if f.unit == u and f.c.get("chv", "") == chv]):
                        cells.append(("B01-CHV", "%s|%s" % (u, chv), col, fmt_rate(v) if r else str(v)))
                for col, v, r in b01([f for f in facts if f.unit == u]):
                    cells.append(("B01-CHV", u + "|*", col, fmt_rate(v) if r else str(v)))
            for col, v, r in b01(facts):
                cells.append(("B01-CHV", "*", col, fmt_rate(v) if r else str(v)))
        if "B01-HT" in forms:
            for ht in ("chu_dong", "theo_yeu_cau", "khac"):
                sel = [f for f in facts if map_hinh_thuc(f.c.get("hinh_thuc")) == ht]
                for u in sorted({f.unit for f in sel}, key=lambda s: s.encode()):
                    for col, v, r in b01([f for f in sel if f.unit == u]):
                        cells.append(("B01-HT", "%s|%s" % (ht, u), col, fmt_rate(v) if r else str(v)))
                if sel:
                    for col, v, r in b01(sel):
                        cells.append(("B01-HT", ht + "|*", col, fmt_rate(v) if r else str(v)))
            for col, v, r in b01(facts):
                cells.append(("B01-HT", "*", col, fmt_rate(v) if r else str(v)))
        if "B01-LV" in forms:
            for lv in ("dan_su", "hinh_su", "hanh_chinh", "hngd", "kdtm", "lao_dong", "pha_san",
                       "trong_tai", "khac"):
                sel = [f for f in facts if map_loai_an(f.c.get("loai_an")) == lv]
                for col, v, r in b01(sel):
                    cells.append(("B01-LV", lv, col, fmt_rate(v) if r else str(v)))
            for col, v, r in b01(facts):
                cells.append(("B01-LV", "*", col, fmt_rate(v) if r else str(v)))
        if "B04" in forms:
            per_unit("B04", b04)
        if "B05" in forms:
            per_unit("B05", b05, pick=lambda f: f.tin_dung)
        if "B06" in forms:
            per_unit("B06", b05, pick=lambda f: f.tham_nhung)
        if self.thahc and "B03" in forms:
            tunits = sorted({j["ma_don_vi"] for j in self.thahc}, key=lambda s: s.encode())
            for u in tunits + ["*"]:
                for col, v, r in b03([j for j in self.thahc if u == "*" or j["ma_don_vi"] == u], S, E):
                    cells.append(("B03", u, col, fmt_rate(v) if r else str(v)))
            for cap in ("tinh", "xa", "bo_nganh", "khac"):
                for col, v, r in b03([j for j in self.thahc if map_cap(j["cap"]) == cap], S, E):
                    cells.append(("B03-CAP", cap, col, fmt_rate(v) if r else str(v)))
            for col, v, r in b03(self.thahc, S, E):
                cells.append(("B03-CAP", "*", col, fmt_rate(v) if r else str(v)))
        self.cells = cells
        index = {(f, r, c): v for f, r, c, v in cells}
        bad = 0
        for form, row, col, value in self.hands:
            want = str(value)
            got = index.get((form, row, col))
            if got != want:
                print("%s: hand %s[%s].%s = %s, computed %s" % (self.name, form, row, col, want, got))
                bad += 1
        if bad:
            raise SystemExit(1)
        return cells


# ---------------------------------------------------------------------------------------------
# writing the inputs
# ---------------------------------------------------------------------------------------------


def money_plain(v):
    return "" if v is None else str(v)


def write_csv(path, header, rows, delim=",", crlf=False, bom=False, quote_all=False):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\r\n" if crlf else "\n",
                   quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    data = buf.getvalue()
    with open(path, "wb") as fh:
        if bom:
            fh.write(b"\xef\xbb\xbf")
        fh.write(data.encode("utf-8"))


def fmt_date(d):
    return d.strftime("%d/%m/%Y")


def write_folder(fd):
    path = os.path.join(HERE, fd.name)
    os.makedirs(path, exist_ok=True)
    if getattr(fd, "custom_writer", None):
        fd.custom_writer(fd, path)
    else:
        write_csv(os.path.join(path, "cases.csv"),
                  ["ma_viec", "ma_don_vi", "ten_don_vi", "chap_hanh_vien", "so_quyet_dinh",
                   "ngay_thu_ly", "ngay_quyet_dinh", "hinh_thuc", "loai_an", "nhom_viec",
                   "so_tien_phai_thi_hanh", "nguoi_phai_thi_hanh"],
                  [[c["ma_viec"], c["ma_don_vi"], c.get("ten", UNIT_NAMES.get(c["ma_don_vi"], "")),
                    c.get("chv", ""), c.get("so_qd", ""), fmt_date(c["ngay_thu_ly"]),
                    fmt_date(c["ngay_quyet_dinh"]), c.get("hinh_thuc", ""), c.get("loai_an", ""),
                    c.get("nhom_viec", ""), c["O"], c.get("debtor", "")] for c in fd.cases])
        write_csv(os.path.join(path, "events.csv"), ["ma_viec", "ngay", "su_kien", "so_tien", "ghi_chu"],
                  [[e["ma_viec"], fmt_date(e["date"]), e["text"], money_plain(e["amount"]),
                    e["note"] or ""] for e in fd.events])
        if fd.thahc:
            write_csv(os.path.join(path, "thahc.csv"),
                      ["ma_ban_an", "ma_don_vi", "ten_don_vi", "cap_phai_thi_hanh", "ngay_thu_ly",
                       "ngay_qd_buoc", "ngay_xong", "ngay_huy_hoan_tdc", "ngay_kien_nghi"],
                      [[j["ma_ban_an"], j["ma_don_vi"], UNIT_NAMES.get(j["ma_don_vi"], ""), j["cap"],
                        fmt_date(j["ngay_thu_ly"])] +
                       [fmt_date(j[k]) if j.get(k) else "" for k in
                        ("ngay_qd_buoc", "ngay_xong", "ngay_huy_hoan_tdc", "ngay_kien_nghi")]
                       for j in fd.thahc])
    with open(os.path.join(path, "args"), "w", encoding="utf-8") as fh:
        fh.write(fd.args + "\n")
    with open(os.path.join(path, "expect.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["form", "row", "column", "value"])
        for cell in fd.cells:
            w.writerow(cell)


UNIT_NAMES = {"KV01": "Phòng Thi hành án dân sự khu vực 1",
              "KV02": "Phòng Thi hành án dân sự khu vực 2",
              "TINH": "Thi hành án dân sự tỉnh"}

FOLDERS = []


def folder(name, args, title):
    f = Folder(name, args, title)
    FOLDERS.append(f)
    return f


# =============================================================================================
# The folders. Event kinds are what the text must map to under rules/thads-maps.rules.
# Every hand(...) value is derived in tests/e2e/README.md.
# =============================================================================================
XM_CO, XM_CHUA = "Xác minh: có điều kiện thi hành", "Xác minh: chưa có điều kiện thi hành"

# ---- 0001: every state, every column, with the full arithmetic in README.md ----------------
f = folder("0001-hand-computed", "--year 2026 --months 12", "mọi trạng thái, mọi cột")
f.forms = ["TH", "B01", "B02", "B01-CHV", "B01-HT", "B01-LV", "B04", "B05", "B06"]
AN, BINH, CUONG = "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"
f.case("C01", "KV01", "15/03/2025", 10_000_000, qd="20/03/2025", chv=AN, hinh_thuc="Chủ động", loai_an="Dân sự", so_qd="12/QĐ-CCTHADS", debtor="Phạm Văn Một")
f.ev("C01", "10/05/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("C01", "15/11/2025", "xac_minh_co_dk", XM_CO)
f.ev("C01", "10/01/2026", "thu_tien", "Thu tiền thi hành án", 3_000_000)
f.ev("C01", "20/02/2026", "xong", "Thi hành xong")
f.case("C02", "KV01", "01/10/2025", 6_000_000, chv=AN, hinh_thuc="Theo yêu cầu", loai_an="Hình sự", nhom_viec="Tham nhũng, kinh tế")
f.ev("C02", "05/10/2025", "xac_minh_co_dk", "Có điều kiện thi hành")
f.ev("C02", "01/12/2025", "thu_tien", "Nộp tiền thi hành án", 1_000_000)
f.ev("C02", "15/12/2025", "dinh_chi", "Đình chỉ thi hành án")
f.case("C03", "KV01", "10/10/2025", 4_000_000, chv=AN, hinh_thuc="Chủ động", loai_an="Dân sự")
f.ev("C03", "20/10/2025", "thu_tien", "Thu tiền", 1_500_000)
f.ev("C03", "01/11/2025", "uy_thac", "Ủy thác thi hành án")
f.case("C04", "KV01", "30/09/2025", 3_000_000, chv=AN, hinh_thuc="Theo yêu cầu", loai_an="Hôn nhân và gia đình")
f.ev("C04", "05/10/2025", "thu_hoi", "Hủy quyết định thi hành án")
f.case("C05", "KV01", "01/11/2025", 7_000_000, chv=AN, hinh_thuc="Chủ động", loai_an="Kinh doanh thương mại", nhom_viec="Tín dụng, ngân hàng")
f.ev("C05", "10/11/2025", "xac_minh_co_dk", XM_CO)
f.ev("C05", "01/12/2025", "mien_giam", "Miễn, giảm thi hành án", 2_000_000)
f.ev("C05", "15/12/2025", "thu_tien", "Thu tiền", 1_000_000)
f.case("C06", "KV01", "01/11/2025", 5_000_000, chv=AN, hinh_thuc="Theo yêu cầu", loai_an="Hình sự")
f.ev("C06", "10/11/2025", "hoan_c", "Hoãn thi hành án theo điểm c khoản 1 Điều 48")
f.case("C07", "KV01", "01/06/2025", 2_000_000, chv=BINH, hinh_thuc="Chủ động", loai_an="Dân sự")
f.ev("C07", "10/07/2025", "khac", "Trường hợp khác")
f.case("C08", "KV01", "01/11/2025", 9_000_000, chv=BINH, hinh_thuc="Theo yêu cầu", loai_an="Lao động")
f.ev("C08", "10/11/2025", "hoan", "Hoãn thi hành án")
f.case("C09", "KV01", "01/11/2025", 1_000_000, chv=BINH, hinh_thuc="Chủ động", loai_an="Dân sự")
f.ev("C09", "10/11/2025", "tam_dinh_chi", "Tạm đình chỉ thi hành án")
f.case("C10", "KV01", "01/11/2025", 8_000_000, chv=BINH, hinh_thuc="Theo yêu cầu", loai_an="Hình sự")
f.ev("C10", "10/11/2025", "xac_minh_chua_co_dk", XM_CHUA)
f.case("C11", "KV01", "01/01/2025", 12_000_000, chv=BINH, hinh_thuc="Chủ động", loai_an="Dân sự")
f.ev("C11", "01/02/2025", "xac_minh_chua_co_dk", "Chưa có điều kiện thi hành")
f.ev("C11", "01/03/2026", "chuyen_so_rieng", "Chuyển sổ theo dõi riêng")
f.case("C12", "KV01", "01/12/2025", 0, chv=BINH, hinh_thuc="Theo yêu cầu", loai_an="Hành chính")
f.case("C13", "KV02", "01/01/2024", 5_000_000, chv=CUONG, hinh_thuc="Chủ động", loai_an="Dân sự")
f.ev("C13", "01/03/2024", "xong", "Đã thi hành xong")
f.case("C14", "KV01", "01/10/2026", 1_000_000, chv=BINH, hinh_thuc="Chủ động", loai_an="Dân sự")
for col, v in dict(thu_ly=12, chuyen_sang=4, moi=8, uy_thac=1, thu_hoi=1, phai_thi_hanh=10, co_dk=6,
                   xong=1, dinh_chi=1, dang_thi_hanh=2, hoan_c=1, khac=1, hoan_tdc=2, chua_co_dk=2,
                   ty_le="33.33", chuyen_ky_sau=8, co_dk_chuyen_ky_sau=4).items():
    f.hand("B01", "KV01", col, v)
    f.hand("B01", "*", col, v)
for col, v in dict(thu_ly=65_000_000, chuyen_sang=25_000_000, moi=40_000_000, uy_thac=2_500_000,
                   thu_hoi=3_000_000, phai_thi_hanh=59_500_000, co_dk=29_500_000, xong=11_500_000,
                   dinh_chi=5_000_000, giam=2_000_000, dang_thi_hanh=4_000_000, hoan_c=5_000_000,
                   khac=2_000_000, hoan_tdc=10_000_000, chua_co_dk=20_000_000, ty_le="62.71",
                   chuyen_ky_sau=41_000_000, co_dk_chuyen_ky_sau=11_000_000).items():
    f.hand("B02", "KV01", col, v)
f.hand("B01", "KV02", "thu_ly", 0); f.hand("B01", "KV02", "ty_le", "")
f.hand("B02", "KV02", "ty_le", "")
for col, v in dict(ty_le="33.33", chi_tieu="84.50", chenh_lech="-51.17", ty_le_cung_ky="0.00",
                   ty_le_tien="62.71", chi_tieu_tien="52.00", chenh_lech_tien="10.71",
                   phai_thi_hanh=10, phai_thi_hanh_cung_ky=4, phai_thi_hanh_tang_giam=6,
                   co_dk=6, co_dk_cung_ky=3, co_dk_tang_giam=3, xong=2, xong_cung_ky=0,
                   xong_tang_giam=2).items():
    f.hand("TH", "KV01", col, v)
f.hand("TH", "KV02", "ty_le", ""); f.hand("TH", "KV02", "chenh_lech", ""); f.hand("TH", "KV02", "chi_tieu", "84.50")
for col, v in dict(co_dk_chua_xong=4, tren_1_nam=1, qua_3_nam_20ty=0, qua_5_nam=0,
                   co_dk_chua_xong_tien=11_000_000, tren_1_nam_tien=2_000_000).items():
    f.hand("B04", "KV01", col, v)
for col, v in dict(thu_ly=1, phai_thi_hanh=1, co_dk=1, xong=0, ty_le="0.00", thu_ly_tien=7_000_000,
                   phai_thi_hanh_tien=7_000_000, co_dk_tien=7_000_000, xong_tien=3_000_000,
                   ty_le_tien="42.86").items():
    f.hand("B05", "KV01", col, v)
for col, v in dict(thu_ly=1, phai_thi_hanh=1, co_dk=1, xong=1, ty_le="100.00", thu_ly_tien=6_000_000,
                   phai_thi_hanh_tien=6_000_000, co_dk_tien=6_000_000, xong_tien=6_000_000,
                   ty_le_tien="100.00").items():
    f.hand("B06", "KV01", col, v)
for col, v in dict(thu_ly=6, chuyen_sang=2, moi=4, uy_thac=1, thu_hoi=1, phai_thi_hanh=4, co_dk=4,
                   xong=1, dinh_chi=1, dang_thi_hanh=1, hoan_c=1, khac=0, hoan_tdc=0, chua_co_dk=0,
                   ty_le="50.00", chuyen_ky_sau=2, co_dk_chuyen_ky_sau=2).items():
    f.hand("B01-CHV", "KV01|" + AN, col, v)
for col, v in dict(thu_ly=6, chuyen_sang=2, moi=4, uy_thac=0, thu_hoi=0, phai_thi_hanh=6, co_dk=2,
                   xong=0, dinh_chi=0, dang_thi_hanh=1, hoan_c=0, khac=1, hoan_tdc=2, chua_co_dk=2,
                   ty_le="0.00", chuyen_ky_sau=6, co_dk_chuyen_ky_sau=2).items():
    f.hand("B01-CHV", "KV01|" + BINH, col, v)
f.hand("B01-CHV", "KV01|*", "thu_ly", 12); f.hand("B01-CHV", "*", "ty_le", "33.33")
for col, v in dict(thu_ly=6, chuyen_sang=3, moi=3, uy_thac=1, thu_hoi=0, phai_thi_hanh=5, co_dk=3,
                   xong=1, dinh_chi=0, dang_thi_hanh=1, hoan_c=0, khac=1, hoan_tdc=1, chua_co_dk=1,
                   ty_le="33.33", chuyen_ky_sau=4, co_dk_chuyen_ky_sau=2).items():
    f.hand("B01-HT", "chu_dong|KV01", col, v)
for col, v in dict(thu_ly=6, chuyen_sang=1, moi=5, uy_thac=0, thu_hoi=1, phai_thi_hanh=5, co_dk=3,
                   xong=0, dinh_chi=1, dang_thi_hanh=1, hoan_c=1, khac=0, hoan_tdc=1, chua_co_dk=1,
                   ty_le="33.33", chuyen_ky_sau=4, co_dk_chuyen_ky_sau=2).items():
    f.hand("B01-HT", "theo_yeu_cau|KV01", col, v)
for col, v in dict(thu_ly=5, chuyen_sang=3, moi=2, uy_thac=1, phai_thi_hanh=4, co_dk=2, xong=1, khac=1,
                   hoan_tdc=1, chua_co_dk=1, ty_le="50.00", chuyen_ky_sau=3, co_dk_chuyen_ky_sau=1).items():
    f.hand("B01-LV", "dan_su", col, v)
for col, v in dict(thu_ly=3, moi=3, phai_thi_hanh=3, co_dk=2, dinh_chi=1, hoan_c=1, chua_co_dk=1,
                   ty_le="50.00", chuyen_ky_sau=2, co_dk_chuyen_ky_sau=1).items():
    f.hand("B01-LV", "hinh_su", col, v)
f.hand("B01-LV", "hngd", "thu_hoi", 1); f.hand("B01-LV", "hngd", "ty_le", "")
f.hand("B01-LV", "kdtm", "dang_thi_hanh", 1); f.hand("B01-LV", "lao_dong", "hoan_tdc", 1)
f.hand("B01-LV", "lao_dong", "ty_le", ""); f.hand("B01-LV", "hanh_chinh", "ty_le", "0.00")
f.hand("B01-LV", "pha_san", "thu_ly", 0); f.hand("B01-LV", "*", "phai_thi_hanh", 10)

# ---- 0002: carried vs new at the S boundary; money before S; event before ngay_thu_ly ------
f = folder("0002-s-boundary", "--year 2026 --months 12", "chuyển sang / thụ lý mới ở mốc S")
f.forms = ["B01", "B02"]
f.case("S1", "KV01", "30/09/2025", 5_000_000)
f.ev("S1", "30/09/2025", "thu_tien", "Thu tiền", 1_000_000)
f.case("S2", "KV01", "01/10/2025", 5_000_000)
f.ev("S2", "01/10/2025", "thu_tien", "Thu tiền", 1_000_000)
f.case("S3", "KV01", "15/10/2025", 3_000_000)
f.ev("S3", "20/09/2025", "thu_tien", "Thu tiền", 500_000)
f.case("S4", "KV01", "01/09/2025", 2_000_000)
f.ev("S4", "30/09/2025", "xong", "Thi hành xong")
f.case("S5", "KV01", "01/09/2025", 2_000_000)
f.ev("S5", "01/10/2025", "xong", "Thi hành xong")
f.case("S6", "KV01", "30/09/2026", 1_000_000)
f.case("S7", "KV01", "01/10/2026", 1_000_000)
for col, v in dict(thu_ly=5, chuyen_sang=2, moi=3, phai_thi_hanh=5, co_dk=5, xong=1,
                   dang_thi_hanh=4, ty_le="20.00", chuyen_ky_sau=4, co_dk_chuyen_ky_sau=4).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(thu_ly=15_000_000, chuyen_sang=6_000_000, moi=9_000_000, xong=3_500_000,
                   dang_thi_hanh=11_500_000, co_dk=15_000_000, ty_le="23.33",
                   chuyen_ky_sau=11_500_000).items():
    f.hand("B02", "KV01", col, v)

# ---- 0003: 10-month window, events after E ignored ---------------------------------------
f = folder("0003-events-after-e", "--year 2026 --months 10", "sự kiện sau E bị bỏ qua")
f.forms = ["TH", "B01", "B02"]
f.case("A1", "KV01", "01/11/2025", 4_000_000)
f.ev("A1", "31/07/2026", "thu_tien", "Thu tiền", 1_000_000)
f.ev("A1", "01/08/2026", "xong", "Thi hành xong")
f.case("A2", "KV01", "01/11/2025", 2_000_000)
f.ev("A2", "01/12/2025", "hoan", "Hoãn thi hành án")
f.ev("A2", "05/08/2026", "tiep_tuc", "Tiếp tục thi hành án")
f.case("A3", "KV01", "01/08/2026", 1_000_000)
f.case("A4", "KV01", "01/12/2025", 3_000_000)
f.ev("A4", "15/12/2025", "xac_minh_chua_co_dk", "Chưa có điều kiện thi hành")
f.ev("A4", "10/08/2026", "xac_minh_co_dk", "Có điều kiện thi hành")
for col, v in dict(thu_ly=3, moi=3, phai_thi_hanh=3, co_dk=1, dang_thi_hanh=1, hoan_tdc=1,
                   chua_co_dk=1, xong=0, ty_le="0.00", chuyen_ky_sau=3, co_dk_chuyen_ky_sau=1).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(thu_ly=9_000_000, xong=1_000_000, dang_thi_hanh=3_000_000, hoan_tdc=2_000_000,
                   chua_co_dk=3_000_000, co_dk=4_000_000, ty_le="25.00", chuyen_ky_sau=8_000_000,
                   co_dk_chuyen_ky_sau=3_000_000).items():
    f.hand("B02", "KV01", col, v)
f.hand("TH", "KV01", "phai_thi_hanh_cung_ky", 0); f.hand("TH", "KV01", "ty_le_cung_ky", "")

# ---- 0004: cases closed before S are out of scope ----------------------------------------
f = folder("0004-closed-before-s", "--year 2026 --months 12", "việc kết thúc trước S")
f.forms = ["B01", "B02", "B04"]
f.case("X1", "KV01", "01/03/2025", 5_000_000)
f.ev("X1", "01/04/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("X1", "01/06/2025", "dinh_chi", "Đình chỉ thi hành án")
f.case("X2", "KV01", "01/03/2025", 5_000_000)
f.ev("X2", "30/09/2025", "uy_thac", "Ủy thác thi hành án")
f.ev("X2", "01/11/2025", "thu_tien", "Thu tiền", 1_000_000)
f.case("X3", "KV01", "01/03/2025", 5_000_000)
f.ev("X3", "01/05/2025", "chuyen_so_rieng", "Chuyển sổ theo dõi riêng")
f.case("X4", "KV01", "01/03/2025", 5_000_000)
f.ev("X4", "01/04/2025", "thu_tien", "Thu tiền", 2_000_000)
f.case("X5", "KV02", "01/01/2025", 1_000_000)
f.ev("X5", "01/02/2025", "xong", "Thi hành xong")
for col, v in dict(thu_ly=1, chuyen_sang=1, moi=0, phai_thi_hanh=1, co_dk=1, dang_thi_hanh=1,
                   uy_thac=0, dinh_chi=0, chua_co_dk=0, ty_le="0.00").items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(thu_ly=3_000_000, chuyen_sang=3_000_000, dang_thi_hanh=3_000_000, xong=0,
                   ty_le="0.00").items():
    f.hand("B02", "KV01", col, v)
f.hand("B01", "KV02", "thu_ly", 0); f.hand("B01", "KV02", "ty_le", ""); f.hand("B01", "*", "thu_ly", 1)

# ---- 0005: partial payments, then ủy thác ------------------------------------------------
f = folder("0005-partial-then-uy-thac", "--year 2026 --months 12", "thu từng phần rồi ủy thác")
f.forms = ["B01", "B02"]
f.case("P1", "KV01", "01/06/2025", 10_000_000)
f.ev("P1", "01/08/2025", "thu_tien", "Thu tiền", 1_000_000)
f.ev("P1", "01/11/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("P1", "01/12/2025", "thu_tien", "Nộp tiền thi hành án", 3_000_000)
f.ev("P1", "15/01/2026", "uy_thac", "Ủy thác THA")
f.ev("P1", "01/02/2026", "thu_tien", "Thu tiền", 4_000_000)
f.case("P2", "KV01", "01/11/2025", 6_000_000)
f.ev("P2", "01/12/2025", "mien_giam", "Giảm thi hành án", 1_000_000)
f.ev("P2", "10/12/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("P2", "01/01/2026", "uy_thac", "Uỷ thác thi hành án")
for col, v in dict(thu_ly=2, chuyen_sang=1, moi=1, uy_thac=2, phai_thi_hanh=0, co_dk=0, ty_le="",
                   chuyen_ky_sau=0).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=9_000_000, moi=6_000_000, thu_ly=15_000_000, uy_thac=7_000_000,
                   phai_thi_hanh=8_000_000, xong=7_000_000, giam=1_000_000, co_dk=8_000_000,
                   ty_le="100.00", chuyen_ky_sau=0, co_dk_chuyen_ky_sau=0).items():
    f.hand("B02", "KV01", col, v)

# ---- 0006: đình chỉ with money still owed ------------------------------------------------
f = folder("0006-dinh-chi-remaining", "--year 2026 --months 12", "đình chỉ khi còn tiền")
f.forms = ["B01", "B02"]
f.case("Q1", "KV01", "01/11/2025", 10_000_000)
f.ev("Q1", "01/12/2025", "thu_tien", "Thu tiền", 3_000_000)
f.ev("Q1", "01/02/2026", "dinh_chi", "Đình chỉ thi hành án")
f.case("Q2", "KV01", "01/05/2025", 8_000_000)
f.ev("Q2", "01/06/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("Q2", "01/11/2025", "mien_giam", "Miễn, giảm thi hành án", 1_000_000)
f.ev("Q2", "01/12/2025", "dinh_chi", "Đình chỉ THA")
f.case("Q3", "KV01", "01/11/2025", 4_000_000)
f.ev("Q3", "05/11/2025", "xac_minh_co_dk", XM_CO)
for col, v in dict(thu_ly=3, chuyen_sang=1, moi=2, phai_thi_hanh=3, co_dk=3, dinh_chi=2,
                   dang_thi_hanh=1, ty_le="66.67", chuyen_ky_sau=1, co_dk_chuyen_ky_sau=1).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=6_000_000, moi=14_000_000, thu_ly=20_000_000, phai_thi_hanh=20_000_000,
                   xong=3_000_000, dinh_chi=12_000_000, giam=1_000_000, dang_thi_hanh=4_000_000,
                   co_dk=20_000_000, ty_le="80.00", chuyen_ky_sau=4_000_000,
                   co_dk_chuyen_ky_sau=4_000_000).items():
    f.hand("B02", "KV01", col, v)

# ---- 0007: miễn, giảm --------------------------------------------------------------------
f = folder("0007-mien-giam", "--year 2026 --months 12", "miễn, giảm")
f.forms = ["B01", "B02"]
f.case("M1", "KV01", "01/11/2025", 10_000_000)
f.ev("M1", "01/12/2025", "mien_giam", "Miễn, giảm thi hành án", 4_000_000)
f.ev("M1", "01/01/2026", "thu_tien", "Thu tiền", 6_000_000)
f.case("M2", "KV01", "01/03/2025", 5_000_000)
f.ev("M2", "01/04/2025", "mien_giam", "Miễn thi hành án", 2_000_000)
f.ev("M2", "01/11/2025", "mien_giam", "Giảm thi hành án", 1_000_000)
f.ev("M2", "01/12/2025", "xac_minh_chua_co_dk", XM_CHUA)
f.case("M3", "KV01", "01/11/2025", 3_000_000)
f.ev("M3", "01/12/2025", "mien_giam", "Miễn, giảm THA", 5_000_000)
f.ev("M3", "01/03/2026", "xong", "Thi hành xong")
for col, v in dict(thu_ly=3, chuyen_sang=1, moi=2, phai_thi_hanh=3, co_dk=2, xong=1, dang_thi_hanh=1,
                   chua_co_dk=1, ty_le="50.00", chuyen_ky_sau=2, co_dk_chuyen_ky_sau=1).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=3_000_000, moi=13_000_000, thu_ly=16_000_000, phai_thi_hanh=16_000_000,
                   xong=6_000_000, giam=8_000_000, dang_thi_hanh=0, chua_co_dk=2_000_000,
                   co_dk=14_000_000, ty_le="100.00", chuyen_ky_sau=2_000_000,
                   co_dk_chuyen_ky_sau=0).items():
    f.hand("B02", "KV01", col, v)

# ---- 0008: overpayment -------------------------------------------------------------------
f = folder("0008-overpayment", "--year 2026 --months 12", "trả thừa")
f.forms = ["B01", "B02"]
f.case("O1", "KV01", "01/11/2025", 1_000_000)
f.ev("O1", "01/12/2025", "thu_tien", "Thu tiền", 1_500_000)
f.case("O2", "KV01", "01/06/2025", 2_000_000)
f.ev("O2", "01/07/2025", "thu_tien", "Thu tiền", 3_000_000)
f.ev("O2", "01/11/2025", "thu_tien", "Thu tiền", 500_000)
f.case("O3", "KV01", "01/11/2025", 5_000_000)
f.ev("O3", "01/12/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("O3", "01/01/2026", "mien_giam", "Giảm thi hành án", 4_000_000)
f.ev("O3", "01/02/2026", "xong", "Thi hành xong")
for col, v in dict(thu_ly=3, chuyen_sang=1, moi=2, phai_thi_hanh=3, co_dk=3, xong=1, dang_thi_hanh=2,
                   ty_le="33.33", chuyen_ky_sau=2, co_dk_chuyen_ky_sau=2).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=0, moi=6_000_000, thu_ly=6_000_000, xong=3_000_000, giam=3_000_000,
                   dang_thi_hanh=0, co_dk=6_000_000, ty_le="100.00", chuyen_ky_sau=0).items():
    f.hand("B02", "KV01", col, v)

# ---- 0009 / 0010: the same data as a 10-month and a 12-month report ----------------------
for name, args in (("0009-window-10-months", "--year 2026 --months 10"),
                   ("0010-window-12-months", "--year 2026 --months 12")):
    f = folder(name, args, "cửa sổ 10 và 12 tháng")
    f.forms = ["TH", "B01", "B02"]
    f.case("W1", "KV01", "01/11/2025", 6_000_000)
    f.ev("W1", "01/03/2026", "thu_tien", "Thu tiền", 1_000_000)
    f.ev("W1", "15/08/2026", "xong", "Thi hành xong")
    f.case("W2", "KV01", "01/08/2026", 2_000_000)
    f.case("W3", "KV01", "01/06/2025", 4_000_000)
    f.ev("W3", "01/07/2026", "hoan", "Hoãn THA")
    f.ev("W3", "01/09/2026", "tiep_tuc", "Tiếp tục THA")
    f.case("W4", "KV02", "01/02/2026", 3_000_000)
    f.ev("W4", "31/07/2026", "thu_tien", "Thu tiền", 1_000_000)
    f.ev("W4", "01/08/2026", "thu_tien", "Thu tiền", 1_000_000)
    f.ev("W4", "30/09/2026", "dinh_chi", "Đình chỉ thi hành án")
W10, W12 = FOLDERS[-2], FOLDERS[-1]
for col, v in dict(thu_ly=2, chuyen_sang=1, moi=1, phai_thi_hanh=2, co_dk=1, dang_thi_hanh=1,
                   hoan_tdc=1, ty_le="0.00", chuyen_ky_sau=2, co_dk_chuyen_ky_sau=1).items():
    W10.hand("B01", "KV01", col, v)
for col, v in dict(thu_ly=1, moi=1, co_dk=1, dang_thi_hanh=1, ty_le="0.00").items():
    W10.hand("B01", "KV02", col, v)
for col, v in dict(chuyen_sang=4_000_000, moi=6_000_000, thu_ly=10_000_000, xong=1_000_000,
                   dang_thi_hanh=5_000_000, hoan_tdc=4_000_000, co_dk=6_000_000, ty_le="16.67",
                   chuyen_ky_sau=9_000_000, co_dk_chuyen_ky_sau=5_000_000).items():
    W10.hand("B02", "KV01", col, v)
for col, v in dict(moi=3_000_000, xong=1_000_000, dang_thi_hanh=2_000_000, co_dk=3_000_000,
                   ty_le="33.33", chuyen_ky_sau=2_000_000).items():
    W10.hand("B02", "KV02", col, v)
for col, v in dict(thu_ly=3, chuyen_sang=1, moi=2, phai_thi_hanh=3, co_dk=3, xong=1, dang_thi_hanh=2,
                   hoan_tdc=0, ty_le="33.33", chuyen_ky_sau=2, co_dk_chuyen_ky_sau=2).items():
    W12.hand("B01", "KV01", col, v)
for col, v in dict(thu_ly=1, co_dk=1, dinh_chi=1, ty_le="100.00", chuyen_ky_sau=0).items():
    W12.hand("B01", "KV02", col, v)
for col, v in dict(chuyen_sang=4_000_000, moi=8_000_000, thu_ly=12_000_000, xong=6_000_000,
                   dang_thi_hanh=6_000_000, co_dk=12_000_000, ty_le="50.00",
                   chuyen_ky_sau=6_000_000, co_dk_chuyen_ky_sau=6_000_000).items():
    W12.hand("B02", "KV01", col, v)
for col, v in dict(moi=3_000_000, xong=2_000_000, dinh_chi=1_000_000, co_dk=3_000_000,
                   ty_le="100.00", chuyen_ky_sau=0).items():
    W12.hand("B02", "KV02", col, v)
for col, v in dict(thu_ly=15_000_000, xong=8_000_000, dinh_chi=1_000_000, dang_thi_hanh=6_000_000,
                   co_dk=15_000_000, ty_le="60.00").items():
    W12.hand("B02", "*", col, v)

# ---- 0011: TH — targets and the same period last year ------------------------------------
f = folder("0011-th-prior", "--year 2026 --months 12", "TH: chỉ tiêu và cùng kỳ")
f.forms = ["TH", "B01", "B02"]
f.case("H1", "KV01", "01/03/2025", 10_000_000, qd="05/03/2025")
f.ev("H1", "10/03/2025", "xac_minh_co_dk", "Có điều kiện thi hành")
f.ev("H1", "01/08/2025", "thu_tien", "Thu tiền", 4_000_000)
f.ev("H1", "01/11/2025", "xong", "Thi hành xong")
f.case("H2", "KV01", "01/12/2025", 2_000_000)
f.ev("H2", "15/12/2025", "xac_minh_co_dk", XM_CO)
f.case("H3", "KV01", "01/02/2025", 3_000_000)
f.ev("H3", "01/04/2025", "dinh_chi", "Đình chỉ thi hành án")
f.case("H4", "KV01", "01/01/2026", 5_000_000)
f.ev("H4", "01/02/2026", "uy_thac", "Uỷ thác THA")
f.case("H5", "KV01", "01/05/2025", 1_000_000)
f.ev("H5", "01/06/2025", "xac_minh_chua_co_dk", XM_CHUA)
f.ev("H5", "15/10/2025", "xac_minh_co_dk", XM_CO)
f.ev("H5", "01/03/2026", "xong", "Thi hành xong")
f.case("H6", "KV01", "01/07/2026", 4_000_000)
f.case("G1", "KV02", "01/11/2024", 1_000_000)
f.ev("G1", "01/02/2025", "xong", "Thi hành xong")
for col, v in dict(ty_le="50.00", chi_tieu="84.50", chenh_lech="-34.50", ty_le_cung_ky="50.00",
                   ty_le_tien="53.85", chi_tieu_tien="52.00", chenh_lech_tien="1.85",
                   phai_thi_hanh=4, phai_thi_hanh_cung_ky=3, phai_thi_hanh_tang_giam=1,
                   co_dk=4, co_dk_cung_ky=2, co_dk_tang_giam=2, xong=2, xong_cung_ky=1,
                   xong_tang_giam=1).items():
    f.hand("TH", "KV01", col, v)
for col, v in dict(ty_le="", chenh_lech="", ty_le_cung_ky="100.00", phai_thi_hanh=0,
                   phai_thi_hanh_cung_ky=1, phai_thi_hanh_tang_giam=-1, co_dk_tang_giam=-1,
                   xong_tang_giam=-1).items():
    f.hand("TH", "KV02", col, v)
for col, v in dict(ty_le="50.00", ty_le_cung_ky="66.67", phai_thi_hanh=4, phai_thi_hanh_cung_ky=4,
                   phai_thi_hanh_tang_giam=0, co_dk_cung_ky=3, co_dk_tang_giam=1,
                   xong_cung_ky=2, xong_tang_giam=0, ty_le_tien="53.85").items():
    f.hand("TH", "*", col, v)

# ---- 0012: hoãn điểm c vs other grounds; verification during a suspension ----------------
f = folder("0012-hoan-c-vs-other", "--year 2026 --months 12", "hoãn điểm c và căn cứ khác")
f.forms = ["B01", "B02", "B04"]
for ma, O in (("V1", 1), ("V2", 2), ("V3", 3), ("V4", 4), ("V5", 5), ("V6", 6)):
    f.case(ma, "KV01", "01/11/2025", O * 1_000_000)
f.ev("V1", "01/12/2025", "hoan", "Hoãn THA")
f.ev("V1", "01/01/2026", "xac_minh_chua_co_dk", XM_CHUA)
f.ev("V2", "01/12/2025", "hoan", "Hoãn THA")
f.ev("V2", "01/01/2026", "xac_minh_chua_co_dk", XM_CHUA)
f.ev("V2", "01/02/2026", "tiep_tuc", "Tiếp tục THA")
f.ev("V3", "01/12/2025", "hoan_c", "Hoãn thi hành án theo điểm c khoản 1 Điều 48")
f.ev("V3", "01/02/2026", "tiep_tuc", "Tiếp tục thi hành án")
f.ev("V4", "01/12/2025", "hoan_c", "hoan thi hanh an theo diem c khoan 1 dieu 48")
f.ev("V5", "01/12/2025", "hoan_c", "HOÃN THA THEO ĐIỂM C KHOẢN 1 ĐIỀU 48")
f.ev("V6", "01/12/2025", "hoan", "Hoãn thi hành án theo điểm a khoản 1 Điều 48")
for col, v in dict(hoan_tdc=2, chua_co_dk=1, dang_thi_hanh=1, hoan_c=2, co_dk=3, phai_thi_hanh=6,
                   ty_le="0.00").items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(hoan_tdc=7_000_000, chua_co_dk=2_000_000, dang_thi_hanh=3_000_000,
                   hoan_c=9_000_000, co_dk=12_000_000, ty_le="0.00").items():
    f.hand("B02", "KV01", col, v)
f.hand("B04", "KV01", "co_dk_chua_xong", 3)

# ---- 0013: chuyển sổ theo dõi riêng ------------------------------------------------------
f = folder("0013-chuyen-so-rieng", "--year 2026 --months 12", "chuyển sổ theo dõi riêng")
f.forms = ["B01", "B02"]
f.case("R1", "KV01", "01/01/2025", 10_000_000)
f.ev("R1", "01/02/2025", "xac_minh_chua_co_dk", "Chưa có điều kiện thi hành")
f.ev("R1", "01/03/2025", "thu_tien", "Thu tiền", 1_000_000)
f.ev("R1", "01/03/2026", "chuyen_so_rieng", "Chuyển sổ theo dõi riêng")
f.ev("R1", "01/04/2026", "thu_tien", "Thu tiền", 2_000_000)
f.case("R2", "KV01", "01/11/2025", 4_000_000)
f.ev("R2", "01/12/2025", "chuyen_so_rieng", "CHUYỂN SỔ THEO DÕI RIÊNG")
f.case("R3", "KV01", "01/01/2025", 3_000_000)
f.ev("R3", "01/06/2025", "chuyen_so_rieng", "chuyen so theo doi rieng")
f.case("R4", "KV01", "01/11/2025", 2_000_000)
f.ev("R4", "01/12/2025", "xac_minh_chua_co_dk", XM_CHUA)
for col, v in dict(thu_ly=3, chuyen_sang=1, moi=2, phai_thi_hanh=3, co_dk=0, chua_co_dk=3,
                   ty_le="", chuyen_ky_sau=3, co_dk_chuyen_ky_sau=0).items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=9_000_000, moi=6_000_000, thu_ly=15_000_000, phai_thi_hanh=15_000_000,
                   chua_co_dk=15_000_000, xong=0, co_dk=0, ty_le="", chuyen_ky_sau=15_000_000).items():
    f.hand("B02", "KV01", col, v)

# ---- 0014 / 0015: a 29/02 decision date at and past the 1- and 5-year marks --------------
for name, args in (("0014-feb29-at-mark", "--year 2025 --months 5"),
                   ("0015-feb29-past-mark", "--year 2025 --from 01/10/2024 --to 01/03/2025")):
    f = folder(name, args, "ngày QĐ 29/02")
    f.forms = ["B01", "B04"]
    f.case("P1", "KV01", "29/02/2020", 1_000_000)
    f.case("P2", "KV01", "29/02/2024", 2_000_000)
F14, F15 = FOLDERS[-2], FOLDERS[-1]
for col, v in dict(co_dk_chua_xong=2, tren_1_nam=1, qua_3_nam_20ty=0, qua_5_nam=0,
                   tren_1_nam_tien=1_000_000, qua_5_nam_tien=0).items():
    F14.hand("B04", "KV01", col, v)
for col, v in dict(co_dk_chua_xong=2, tren_1_nam=2, qua_5_nam=1, tren_1_nam_tien=3_000_000,
                   qua_5_nam_tien=1_000_000).items():
    F15.hand("B04", "KV01", col, v)

# ---- 0016 / 0017: year-to-year continuity on the same data -------------------------------
for name, args in (("0016-continuity-2025", "--year 2025 --months 12"),
                   ("0017-continuity-2026", "--year 2026 --months 12")):
    f = folder(name, args, "liên tục giữa hai năm")
    f.forms = ["B01", "B02"]
    f.case("Y1", "KV01", "01/11/2024", 10_000_000)
    f.ev("Y1", "15/11/2024", "xac_minh_co_dk", XM_CO)
    f.ev("Y1", "01/03/2025", "thu_tien", "Thu tiền", 3_000_000)
    f.ev("Y1", "01/12/2025", "thu_tien", "Thu tiền", 2_000_000)
    f.case("Y2", "KV01", "01/02/2025", 5_000_000)
    f.ev("Y2", "01/03/2025", "hoan", "Hoãn thi hành án")
    f.case("Y3", "KV01", "01/05/2025", 6_000_000)
    f.ev("Y3", "01/08/2025", "dinh_chi", "Đình chỉ thi hành án")
    f.case("Y4", "KV01", "01/06/2025", 8_000_000)
    f.ev("Y4", "01/07/2025", "xac_minh_chua_co_dk", XM_CHUA)
    f.ev("Y4", "01/09/2025", "chuyen_so_rieng", "Chuyển sổ theo dõi riêng")
    f.case("Y5", "KV01", "01/09/2024", 3_000_000)
    f.ev("Y5", "01/10/2024", "mien_giam", "Giảm thi hành án", 1_000_000)
    f.ev("Y5", "01/01/2026", "xong", "Thi hành xong")
    f.case("Y6", "KV02", "01/07/2025", 4_000_000)
    f.ev("Y6", "01/09/2025", "uy_thac", "Ủy thác thi hành án")
    f.case("Y7", "KV02", "01/03/2025", 2_000_000)
    f.ev("Y7", "01/04/2025", "thu_tien", "Thu tiền", 2_000_000)
    f.case("Y8", "KV02", "01/12/2025", 1_000_000)
F16, F17 = FOLDERS[-2], FOLDERS[-1]
for col, v in dict(thu_ly=5, chuyen_sang=1, moi=4, phai_thi_hanh=5, co_dk=3, dinh_chi=1,
                   dang_thi_hanh=2, hoan_tdc=1, chua_co_dk=1, ty_le="33.33", chuyen_ky_sau=4,
                   co_dk_chuyen_ky_sau=2).items():
    F16.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=3_000_000, moi=29_000_000, thu_ly=32_000_000, xong=3_000_000,
                   dinh_chi=6_000_000, giam=1_000_000, dang_thi_hanh=9_000_000, co_dk=19_000_000,
                   hoan_tdc=5_000_000, chua_co_dk=8_000_000, ty_le="52.63",
                   chuyen_ky_sau=22_000_000, co_dk_chuyen_ky_sau=9_000_000).items():
    F16.hand("B02", "KV01", col, v)
for col, v in dict(thu_ly=2, moi=2, uy_thac=1, phai_thi_hanh=1, co_dk=1, dang_thi_hanh=1,
                   ty_le="0.00", chuyen_ky_sau=1).items():
    F16.hand("B01", "KV02", col, v)
for col, v in dict(moi=6_000_000, uy_thac=4_000_000, phai_thi_hanh=2_000_000, xong=2_000_000,
                   co_dk=2_000_000, ty_le="100.00", chuyen_ky_sau=0).items():
    F16.hand("B02", "KV02", col, v)
# 2026 chuyen_sang = 2025 chuyen_ky_sau minus what went to sổ theo dõi riêng in 2025 (Y4)
for col, v in dict(chuyen_sang=3, thu_ly=3, moi=0, phai_thi_hanh=3, co_dk=2, xong=1,
                   dang_thi_hanh=1, hoan_tdc=1, ty_le="50.00", chuyen_ky_sau=2,
                   co_dk_chuyen_ky_sau=1).items():
    F17.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=14_000_000, thu_ly=14_000_000, xong=4_000_000,
                   dang_thi_hanh=5_000_000, hoan_tdc=5_000_000, co_dk=9_000_000, ty_le="44.44",
                   chuyen_ky_sau=10_000_000, co_dk_chuyen_ky_sau=5_000_000).items():
    F17.hand("B02", "KV01", col, v)
for col, v in dict(chuyen_sang=1, moi=1, thu_ly=2, co_dk=2, dang_thi_hanh=2, ty_le="0.00").items():
    F17.hand("B01", "KV02", col, v)
for col, v in dict(chuyen_sang=0, moi=1_000_000, dang_thi_hanh=1_000_000, co_dk=1_000_000,
                   ty_le="0.00", chuyen_ky_sau=1_000_000).items():
    F17.hand("B02", "KV02", col, v)

# ---- 0018: messy formats ------------------------------------------------------------------
f = folder("0018-messy-formats", "--year 2026 --months 12", "định dạng lộn xộn")
f.forms = ["B01", "B02"]
f.case("MX-01", "KV01", "01/11/2025", 10_000_000, chv="Nguyễn Văn An", debtor="Công ty TNHH \"Hoà Bình\"\nchi nhánh 2")
f.ev("MX-01", "05/11/2025", "xac_minh_co_dk", unicodedata.normalize("NFD", "Xác minh: có điều kiện thi hành"))
f.ev("MX-01", "01/12/2025", "thu_tien", "NỘP TIỀN THA", 1_234_567)
f.ev("MX-01", "02/01/2026", "mien_giam", "Miễn, giảm thi hành án", 765_433, note="Theo QĐ số 5, ngày 02/01/2026\n(toà án)")
f.case("MX-02", "KV01", "15/03/2025", 6_000_000)
f.ev("MX-02", "20/03/2025", "thu_tien", "thu tien", 1_000_000)
f.ev("MX-02", "01/02/2026", "xong", "da thi hanh xong")
f.case("MX-03", "KV02", "01/10/2025", 4_000_000)
f.ev("MX-03", "10/10/2025", "uy_thac", "UỶ THÁC THA")
f.case("MX-04", "KV02", "30/09/2025", 2_500_000)
f.ev("MX-04", "01/10/2025", "hoan_c", "Hoãn THA theo điểm c, khoản 1, Điều 48")
# money and date spellings used by the writer below, per case / event (same order as above)
MONEY_SPELL = {"MX-01": "10.000.000", "MX-02": "6,000,000 đ", "MX-03": " 4000000 VND ",
               "MX-04": "2.500.000 đồng"}
DATE_SPELL = {"MX-01": "1/11/2025", "MX-02": "2025-03-15", "MX-03": "01-10-2025", "MX-04": "30/09/2025"}
EV_MONEY = {1: "1.234.567", 2: "765.433 đ", 3: "1,000,000"}
EV_DATE = {0: "2025-11-05", 1: "1/12/2025", 2: "02-01-2026", 3: "20/03/2025", 4: "1/2/2026",
           5: "2025-10-10", 6: "01/10/2025"}


def spelled_date(s):
    s = s.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}$", s):
        return dt.date(*(int(x) for x in s.split("-")))
    d, m, y = (int(x) for x in re.split(r"[/-]", s))
    return dt.date(y, m, d)


def spelled_money(s):
    return int(re.sub(r"[^0-9]", "", s))


def write_messy(fd, path):
    # the spellings must mean exactly the declared values
    for c in fd.cases:
        assert spelled_money(MONEY_SPELL[c["ma_viec"]]) == c["O"], c["ma_viec"]
        assert spelled_date(DATE_SPELL[c["ma_viec"]]) == c["ngay_thu_ly"] == c["ngay_quyet_dinh"]
    for i, e in enumerate(fd.events):
        assert spelled_date(EV_DATE[i]) == e["date"], i
        assert (spelled_money(EV_MONEY[i]) if i in EV_MONEY else None) == e["amount"], i
    # cases.csv: BOM, CRLF, ';', Vietnamese headers (aliases and folding), an extra column,
    # a quoted field with a newline and quotes, money and date spellings
    rows = []
    for i, c in enumerate(fd.cases, 1):
        rows.append([str(i), c["ma_viec"], DATE_SPELL[c["ma_viec"]], c["ma_don_vi"],
                     UNIT_NAMES[c["ma_don_vi"]], c.get("chv", ""), "",
                     DATE_SPELL[c["ma_viec"]], "Chủ động", "Dân sự", "",
                     c.get("debtor", ""), MONEY_SPELL[c["ma_viec"]]])
    write_csv(os.path.join(path, "cases.csv"),
              ["STT", "Mã việc", "NGÀY THỤ LÝ", "Mã Đơn Vị", "Tên đơn vị", "Chấp hành viên",
               "Số QĐ THA", "Ngày ra QĐ THA", "Hình thức", "Loại việc", "Nhóm việc",
               "Người phải thi hành án", "Số tiền phải thi hành"],
              rows, delim=";", crlf=True, bom=True)
    # events.csv: BOM, CRLF, ',', columns in another order, quoted commas, NFD text, a blank line
    rows = []
    for i, e in enumerate(fd.events):
        rows.append([EV_DATE[i], e["ma_viec"], e["text"], EV_MONEY.get(i, ""), e["note"] or ""])
    write_csv(os.path.join(path, "events.csv"), ["Ngày", "Mã việc", "Sự kiện", "Số tiền", "Ghi chú"],
              rows, delim=",", crlf=True, bom=True, quote_all=True)
    with open(os.path.join(path, "events.csv"), "ab") as fh:
        fh.write(b"\r\n")  # a trailing blank line is skipped


f.custom_writer = write_messy
# MX-01 new: thu 1.234.567 + giảm 765.433 = 2.000.000 → đang, còn 8.000.000
# MX-02 carried: thu 1.000.000 trước S → B 5.000.000; xong → thu 5.000.000
# MX-03 new (thụ lý = S): ủy thác → còn 4.000.000; MX-04 carried: hoãn c → 2.500.000
for col, v in dict(thu_ly=2, chuyen_sang=1, moi=1, co_dk=2, xong=1, dang_thi_hanh=1,
                   ty_le="50.00").items():
    f.hand("B01", "KV01", col, v)
for col, v in dict(chuyen_sang=5_000_000, moi=10_000_000, xong=6_234_567, giam=765_433,
                   dang_thi_hanh=8_000_000, co_dk=15_000_000, ty_le="46.67").items():
    f.hand("B02", "KV01", col, v)
for col, v in dict(thu_ly=2, chuyen_sang=1, moi=1, uy_thac=1, phai_thi_hanh=1, hoan_c=1,
                   co_dk=1, ty_le="0.00").items():
    f.hand("B01", "KV02", col, v)
for col, v in dict(thu_ly=6_500_000, uy_thac=4_000_000, phai_thi_hanh=2_500_000,
                   hoan_c=2_500_000, co_dk=2_500_000).items():
    f.hand("B02", "KV02", col, v)

# ---- 0019: THAHC (B03, B03-CAP) -----------------------------------------------------------
f = folder("0019-thahc", "--year 2026 --months 12", "theo dõi thi hành án hành chính")
f.forms = ["B03"]
f.case("X1", "KV01", "01/11/2025", 0)
f.judgment("J1", "KV01", "01/06/2025", "UBND tỉnh Gia Lai", ngay_qd_buoc="01/08/2025", ngay_xong="01/12/2025")
f.judgment("J2", "KV01", "01/11/2025", "Chủ tịch UBND xã Ia Grai", ngay_huy_hoan_tdc="01/02/2026")
f.judgment("J3", "KV01", "01/01/2026", "Bộ Tài chính", ngay_kien_nghi="01/03/2026")
f.judgment("J4", "KV01", "01/01/2024", "", ngay_xong="01/05/2025")
f.judgment("J5", "KV02", "01/02/2026", "Sở Tài chính", ngay_qd_buoc="01/10/2026", ngay_xong="01/03/2026",
           ngay_huy_hoan_tdc="01/03/2026")
f.judgment("J6", "KV02", "01/10/2026", "UBND phường 3")
f.judgment("J7", "KV02", "01/03/2025", "", ngay_xong="01/11/2026")
for col, v in dict(tong=3, chuyen_sang=1, phat_sinh=2, buoc_thi_hanh=1, xong=1, huy_hoan_tdc=1,
                   dang_thi_hanh=1, ty_le="33.33", kien_nghi=1).items():
    f.hand("B03", "KV01", col, v)
for col, v in dict(tong=2, chuyen_sang=1, phat_sinh=1, buoc_thi_hanh=0, xong=1, huy_hoan_tdc=0,
                   dang_thi_hanh=1, ty_le="50.00", kien_nghi=0).items():
    f.hand("B03", "KV02", col, v)
f.hand("B03", "*", "tong", 5); f.hand("B03", "*", "ty_le", "40.00")
f.hand("B03-CAP", "tinh", "ty_le", "100.00"); f.hand("B03-CAP", "xa", "huy_hoan_tdc", 1)
f.hand("B03-CAP", "bo_nganh", "kien_nghi", 1); f.hand("B03-CAP", "khac", "tong", 2)
f.hand("B03-CAP", "khac", "ty_le", "50.00"); f.hand("B03-CAP", "*", "tong", 5)

# ---- 0020: aging, the 20 tỷ threshold, exclusions ----------------------------------------
f = folder("0020-aging-20ty", "--year 2026 --months 12", "thời gian tồn, 20 tỷ, loại trừ")
f.forms = ["B01", "B02", "B04"]
f.case("A01", "KV01", "30/09/2025", 1_000_000)
f.case("A02", "KV01", "29/09/2025", 2_000_000)
f.case("A03", "KV01", "30/09/2023", 20_000_000_000)
f.case("A04", "KV01", "29/09/2023", 20_000_000_000)
f.case("A05", "KV01", "29/09/2023", 19_999_999_999)
f.case("A06", "KV01", "30/09/2021", 3_000_000)
f.case("A07", "KV01", "29/09/2021", 4_000_000)
f.ev("A07", "01/10/2021", "hoan_c", "Hoãn thi hành án theo điểm c khoản 1 Điều 48")
f.case("A08", "KV01", "01/01/2015", 5_000_000, nhom_viec="Cấp dưỡng nuôi con")
f.case("A09", "KV01", "01/01/2015", 6_000_000)
f.ev("A09", "01/02/2015", "xac_minh_co_dk", XM_CO, note="Tài sản đang tranh chấp, chờ Tòa án giải quyết")
f.case("A10", "KV01", "01/01/2015", 7_000_000)
f.ev("A10", "01/02/2015", "hoan", "Hoãn thi hành án")
f.case("A11", "KV01", "01/01/2015", 8_000_000)
f.ev("A11", "01/02/2015", "khac", "Trường hợp khác")
f.case("A12", "KV01", "01/01/2015", 9_000_000)
f.ev("A12", "01/11/2025", "xong", "Thi hành xong")
f.case("A13", "KV01", "01/01/2015", 10_000_000)
f.ev("A13", "01/02/2015", "xac_minh_chua_co_dk", "Chưa có điều kiện thi hành")
f.case("A14", "KV01", "01/01/2019", 30_000_000_000)
f.ev("A14", "01/11/2025", "thu_tien", "Thu tiền", 5_000_000_000)
f.case("A15", "KV01", "01/01/2019", 20_000_000_000)
f.ev("A15", "01/03/2025", "thu_tien", "Thu tiền", 15_000_000_000)
f.case("Z1", "KV02", "01/01/2010", 0)
f.case("Z2", "KV02", "01/01/2026", 1_000_000)
for col, v in dict(co_dk_chua_xong=12, tren_1_nam=9, qua_3_nam_20ty=3, qua_5_nam=4,
                   co_dk_chua_xong_tien=90_028_999_999, tren_1_nam_tien=90_016_999_999,
                   qua_3_nam_20ty_tien=50_000_000_000, qua_5_nam_tien=30_012_000_000).items():
    f.hand("B04", "KV01", col, v)
for col, v in dict(co_dk_chua_xong=2, tren_1_nam=1, qua_3_nam_20ty=0, qua_5_nam=1, qua_5_nam_tien=0,
                   co_dk_chua_xong_tien=1_000_000).items():
    f.hand("B04", "KV02", col, v)
f.hand("B04", "*", "co_dk_chua_xong", 14); f.hand("B04", "*", "tren_1_nam", 10)
f.hand("B04", "*", "qua_5_nam", 5)

# ---- 0021: the peak-campaign report ------------------------------------------------------
f = folder("0021-dot-cao-diem", "--year 2026 --from 01/03/2026 --to 31/05/2026 --rules rules/dot-cao-diem.rules",
           "đợt cao điểm")
f.forms = ["DCD"]
f.case("W1", "KV01", "01/06/2025", 10_000_000)
f.ev("W1", "01/07/2025", "xac_minh_co_dk", "Có điều kiện thi hành")
f.ev("W1", "01/12/2025", "thu_tien", "Thu tiền", 2_000_000)
f.ev("W1", "15/03/2026", "thu_tien", "Thu tiền", 3_000_000)
f.ev("W1", "01/04/2026", "xong", "Thi hành xong")
f.case("W2", "KV01", "01/11/2025", 20_000_000)
f.ev("W2", "01/05/2026", "thu_tien", "Thu tiền", 4_000_000)
f.case("W3", "KV01", "01/01/2026", 5_000_000)
f.case("W4", "KV01", "01/02/2025", 6_000_000)
f.ev("W4", "10/02/2026", "dinh_chi", "Đình chỉ thi hành án")
f.case("W5", "KV01", "01/03/2025", 7_000_000)
f.ev("W5", "01/04/2025", "xac_minh_chua_co_dk", XM_CHUA)
f.case("W6", "KV01", "01/09/2024", 9_000_000)
f.ev("W6", "01/10/2024", "hoan_c", "Hoãn thi hành án theo điểm c khoản 1 Điều 48")
f.ev("W6", "10/05/2026", "mien_giam", "Miễn, giảm thi hành án", 1_000_000)
f.case("W7", "KV01", "01/10/2025", 4_000_000)
f.ev("W7", "20/05/2026", "dinh_chi", "Đình chỉ thi hành án")
f.case("W8", "KV01", "01/12/2025", 3_000_000)
f.ev("W8", "01/04/2026", "uy_thac", "Ủy thác thi hành án")
f.case("W9", "KV01", "01/12/2025", 2_000_000)
f.ev("W9", "01/06/2026", "xong", "Thi hành xong")
f.case("W10", "KV02", "01/05/2025", 1_000_000)
f.case("W11", "KV02", "31/12/2025", 500_000)
for col, v in dict(ton_viec=5, ton_tien=43_000_000, xong_viec=2, xong_tien=17_000_000, con_viec=3,
                   con_tien=26_000_000, ty_le_viec="40.00", chi_tieu_viec="15.00",
                   chenh_lech_viec="25.00", ty_le_tien="39.53", chi_tieu_tien="10.00",
                   chenh_lech_tien="29.53").items():
    f.hand("DCD", "KV01", col, v)
for col, v in dict(ton_viec=2, ton_tien=1_500_000, xong_viec=0, ty_le_viec="0.00",
                   chenh_lech_viec="-15.00", ty_le_tien="0.00", chenh_lech_tien="-10.00").items():
    f.hand("DCD", "KV02", col, v)
for col, v in dict(ton_viec=7, ton_tien=44_500_000, xong_viec=2, xong_tien=17_000_000, con_viec=5,
                   con_tien=27_500_000, ty_le_viec="28.57", ty_le_tien="38.20").items():
    f.hand("DCD", "*", col, v)

# ---- 0022: B05 tín dụng, B06 tham nhũng/kinh tế ------------------------------------------
f = folder("0022-tin-dung-tham-nhung", "--year 2026 --months 12", "B05, B06")
f.forms = ["B05", "B06"]
f.case("D1", "KV01", "01/11/2025", 100_000_000, nhom_viec="Tín dụng, ngân hàng")
f.ev("D1", "10/11/2025", "xac_minh_co_dk", XM_CO)
f.ev("D1", "01/12/2025", "thu_tien", "Thu tiền", 30_000_000)
f.ev("D1", "01/02/2026", "xong", "Thi hành xong")
f.case("D2", "KV01", "01/01/2025", 50_000_000, nhom_viec="Ngan hang")
f.ev("D2", "01/03/2025", "thu_tien", "Thu tiền", 10_000_000)
f.ev("D2", "01/11/2025", "thu_tien", "Thu tiền", 10_000_000)
f.ev("D2", "01/12/2025", "dinh_chi", "Đình chỉ thi hành án")
f.case("D3", "KV01", "01/11/2025", 20_000_000, nhom_viec="Tín dụng")
f.ev("D3", "05/11/2025", "uy_thac", "Ủy thác thi hành án")
f.case("D4", "KV01", "01/11/2025", 60_000_000, nhom_viec="TÍN DỤNG")
f.case("D5", "KV01", "01/11/2025", 70_000_000, nhom_viec="Cấp dưỡng")
f.case("T1", "KV02", "01/11/2025", 1_000_000_000, nhom_viec="Tham nhũng, kinh tế")
f.ev("T1", "01/12/2025", "thu_tien", "Thu tiền", 250_000_000)
f.case("T2", "KV02", "01/11/2025", 500_000_000, nhom_viec="Kinh tế")
f.ev("T2", "01/12/2025", "mien_giam", "Miễn, giảm thi hành án", 100_000_000)
f.ev("T2", "01/01/2026", "xac_minh_chua_co_dk", XM_CHUA)
f.case("T3", "KV02", "01/11/2025", 200_000_000, nhom_viec="Tín dụng, ngân hàng; Tham nhũng, kinh tế")
f.ev("T3", "01/02/2026", "xong", "Thi hành xong")
for col, v in dict(thu_ly=4, phai_thi_hanh=3, co_dk=3, xong=2, ty_le="66.67", thu_ly_tien=220_000_000,
                   phai_thi_hanh_tien=200_000_000, co_dk_tien=200_000_000, xong_tien=140_000_000,
                   ty_le_tien="70.00").items():
    f.hand("B05", "KV01", col, v)
for col, v in dict(thu_ly=3, phai_thi_hanh=3, co_dk=2, xong=1, ty_le="50.00",
                   thu_ly_tien=1_700_000_000, phai_thi_hanh_tien=1_700_000_000,
                   co_dk_tien=1_300_000_000, xong_tien=550_000_000, ty_le_tien="42.31").items():
    f.hand("B06", "KV02", col, v)
f.hand("B05", "KV02", "thu_ly", 1); f.hand("B05", "KV02", "xong_tien", 200_000_000)
f.hand("B06", "KV01", "thu_ly", 0); f.hand("B06", "KV01", "ty_le", "")
f.hand("B05", "*", "thu_ly", 5)


def main():
    check_only = "--check" in sys.argv[1:]
    for fd in FOLDERS:
        fd.compute()
        if not check_only:
            write_folder(fd)
        print("%-32s %3d cells, %2d hand-checked" % (fd.name, len(fd.cells), len(fd.hands)))


if __name__ == "__main__":
    main()
