-- reference.sql — B01 (việc) and B02 (tiền) computed by DuckDB from the export CSV files, as an
-- independent check and a speed reference for `thongke report` (tests/bench/README.md).
--
-- It reproduces domain.md §2 (replay) and §3 (figures) for the CLEAN format written by
-- `thongke sample` (dd/mm/yyyy dates, plain integer money, ',' delimiter, canonical headers,
-- the input.md phrasings of su_kien). Text is matched case- and accent-insensitively and `THA`
-- is read as `thi hành án`, so the input.md phrasing variants map too; other formats of
-- input.md (grouped money, other delimiters, header aliases) are out of its scope.
--
-- Parameters (duckdb_ref.mjs sets them; in the duckdb CLI set them by hand first):
--   SET VARIABLE cases_csv  = 'build/bench/1m/cases.csv';
--   SET VARIABLE events_csv = 'build/bench/1m/events.csv';
--   SET VARIABLE S = DATE '2025-10-01';   -- period start
--   SET VARIABLE E = DATE '2026-09-30';   -- period end (cut-off)
-- Result: table `result(form, row, "column", value, form_ord, is_total, ord)` in the shape of
-- cells.csv (row = unit code or `*`; value as text: integers, đồng, rates with two decimals or
-- empty; sheet order = ORDER BY form_ord, is_total, row, ord), and table `stats(what, n)` with
-- the rows accepted / taken into account.
--
-- Event order within a case: (effective date, file row). A file row number comes from
-- row_number() OVER () on the read, which follows the file order because DuckDB preserves
-- insertion order (the default, set explicitly below; checked on 3.3M rows with 2 threads).
-- A statement ends with ';' at the end of a line: duckdb_ref.mjs splits the file there.

SET preserve_insertion_order = true;

-- ---- cases: typed while read; a row with a bad date or amount is skipped (ignore_errors), as
-- the engine rejects it; out-of-range years, negative amounts and duplicate ids are dropped too.
CREATE OR REPLACE TEMP TABLE c AS
WITH t AS (
    SELECT row_number() OVER () AS rn, trim(ma_viec) AS ma_viec, trim(ma_don_vi) AS unit,
           ngay_thu_ly AS thu_ly, ngay_quyet_dinh AS qd, so_tien_phai_thi_hanh AS O
    FROM read_csv(getvariable('cases_csv'), header = true, delim = ',', quote = '"',
                  escape = '"', all_varchar = true, dateformat = '%d/%m/%Y',
                  types = {'ngay_thu_ly': 'DATE', 'ngay_quyet_dinh': 'DATE',
                           'so_tien_phai_thi_hanh': 'BIGINT'},
                  ignore_errors = true)
),
ok AS (
    SELECT rn, ma_viec, unit, thu_ly, O
    FROM t
    WHERE coalesce(ma_viec, '') <> '' AND coalesce(unit, '') <> ''
      AND year(thu_ly) BETWEEN 1945 AND 2100 AND year(qd) BETWEEN 1945 AND 2100
      AND O BETWEEN 0 AND 900000000000000000
)
-- a duplicate id: the first row wins
SELECT rn AS cid, ma_viec, unit, thu_ly, O
FROM ok
WHERE rn IN (SELECT min(rn) FROM ok GROUP BY ma_viec);

-- ---- events: the columns needed, typed while read, numbered in file order --------------------
CREATE OR REPLACE TEMP TABLE raw_events AS
SELECT row_number() OVER () AS rn, trim(ma_viec) AS ma_viec, ngay AS d, su_kien,
       so_tien AS amt
FROM read_csv(getvariable('events_csv'), header = true, delim = ',', quote = '"', escape = '"',
              all_varchar = true, dateformat = '%d/%m/%Y',
              types = {'ngay': 'DATE', 'so_tien': 'BIGINT'}, ignore_errors = true);

-- ---- su_kien → kind, once per distinct text (first matching line wins) ----------------------
CREATE OR REPLACE TEMP TABLE kinds AS
WITH d AS (SELECT DISTINCT su_kien FROM raw_events),
n AS (
    SELECT su_kien,
           ' ' || regexp_replace(
               regexp_replace(strip_accents(replace(lower(nfc_normalize(trim(su_kien))), 'đ', 'd')),
                              '\btha\b', 'thi hanh an', 'g'),
               '[\s:;,.]+', ' ', 'g') || ' ' AS t
    FROM d
)
SELECT su_kien,
       CASE
           WHEN t LIKE '% chua co dieu kien %' THEN 'xac_minh_chua_co_dk'
           WHEN t LIKE '% co dieu kien %' THEN 'xac_minh_co_dk'
           WHEN t LIKE '% hoan %' AND t LIKE '% diem c %' THEN 'hoan_c'
           WHEN t LIKE '% tam dinh chi %' THEN 'tam_dinh_chi'
           WHEN t LIKE '% hoan %' THEN 'hoan'
           WHEN t LIKE '% tiep tuc %' THEN 'tiep_tuc'
           WHEN t LIKE '% dinh chi %' THEN 'dinh_chi'
           WHEN t LIKE '% xong %' THEN 'xong'
           WHEN t LIKE '% uy thac %' THEN 'uy_thac'
           WHEN t LIKE '% thu hoi %' OR t LIKE '% huy quyet dinh %' THEN 'thu_hoi'
           WHEN t LIKE '% so theo doi rieng %' THEN 'chuyen_so_rieng'
           WHEN t LIKE '% mien %' OR t LIKE '% giam %' THEN 'mien_giam'
           WHEN t LIKE '% thu tien %' OR t LIKE '% nop tien %' THEN 'thu_tien'
           WHEN t LIKE '% truong hop khac %' THEN 'khac'
       END AS kind
FROM n;

-- ---- replay (domain.md §2), one pass per case in replay order --------------------------------
-- ok = the replay order key: effective date (clamped up to ngay_thu_ly), then file row.
-- Events after E are left out; events after the first terminal one are ignored.
-- Money: every amount is capped at what is still owed against O. With positive amounts the
-- capped running total is least(O, raw running total), so each event takes
-- least(O, cum) − least(O, cum − amt); before S it goes to `before`, in [S, E] to collected or
-- reduced.
CREATE OR REPLACE TEMP TABLE agg AS
WITH ev AS (
    SELECT c.cid, k.kind, c.O::HUGEINT AS O, greatest(e.d, c.thu_ly) AS eff,
           date_diff('day', DATE '1900-01-01', greatest(e.d, c.thu_ly)) * 8589934592 + e.rn
               AS ok,
           CASE WHEN k.kind IN ('thu_tien', 'mien_giam') THEN e.amt ELSE 0 END::HUGEINT AS amt,
           k.kind IN ('xong', 'dinh_chi', 'uy_thac', 'thu_hoi', 'chuyen_so_rieng') AS is_term
    FROM raw_events e
    JOIN kinds k USING (su_kien)
    JOIN c USING (ma_viec)
    WHERE k.kind IS NOT NULL
      AND year(e.d) BETWEEN 1945 AND 2100
      AND (k.kind NOT IN ('thu_tien', 'mien_giam') OR e.amt BETWEEN 1 AND 900000000000000000)
      AND greatest(e.d, c.thu_ly) <= getvariable('E')
),
w AS (
    SELECT *,
           coalesce(sum(is_term::INT) OVER (PARTITION BY cid ORDER BY ok
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS terms_before,
           sum(amt) OVER (PARTITION BY cid ORDER BY ok
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum
    FROM ev
),
live AS (
    SELECT *, least(O, cum) - least(O, cum - amt) AS take FROM w WHERE terms_before = 0
)
SELECT cid,
       count(*) AS n_live,
       arg_max(kind, ok) FILTER (WHERE is_term) AS tkind,
       max(eff) FILTER (WHERE is_term) AS teff,
       arg_max(kind, ok) FILTER (WHERE kind IN ('hoan_c', 'hoan', 'tam_dinh_chi', 'khac',
                                                'tiep_tuc')) AS susp,
       arg_max(kind, ok) FILTER (WHERE kind IN ('xac_minh_co_dk', 'xac_minh_chua_co_dk'))
           AS cond,
       coalesce(sum(take) FILTER (WHERE eff < getvariable('S')), 0) AS before,
       coalesce(sum(take) FILTER (WHERE eff >= getvariable('S') AND kind = 'thu_tien'), 0)
           AS coll,
       coalesce(sum(take) FILTER (WHERE eff >= getvariable('S') AND kind = 'mien_giam'), 0)
           AS red
FROM live
GROUP BY cid;

-- ---- per case facts at E (domain.md §2) ------------------------------------------------------
CREATE OR REPLACE TEMP TABLE facts AS
WITH j AS (
    SELECT c.cid, c.unit, c.thu_ly, c.O::HUGEINT AS O, a.tkind, a.teff, a.susp, a.cond,
           coalesce(a.before, 0) AS before, coalesce(a.coll, 0) AS coll,
           coalesce(a.red, 0) AS red,
           c.thu_ly <= getvariable('E')
               AND NOT coalesce(a.teff < getvariable('S'), false) AS in_scope
    FROM c LEFT JOIN agg a USING (cid)
),
s AS (
    SELECT *,
           CASE
               WHEN NOT in_scope THEN 'out'
               WHEN tkind IS NOT NULL THEN tkind
               WHEN susp = 'hoan_c' THEN 'hoan_c'
               WHEN susp IN ('hoan', 'tam_dinh_chi') THEN 'hoan_tdc'
               WHEN susp = 'khac' THEN 'khac'
               WHEN cond = 'xac_minh_chua_co_dk' THEN 'chua_co_dk'
               ELSE 'dang_thi_hanh'
           END AS state,
           O - before AS B
    FROM j
)
SELECT cid, unit, in_scope, thu_ly < getvariable('S') AS carried, state, B,
       -- xong with money still owed: the remainder counts as collected
       CASE WHEN state = 'xong' THEN B - red ELSE coll END AS collected,
       red AS reduced,
       CASE WHEN state = 'xong' THEN 0 ELSE B - coll - red END AS remaining
FROM s;

-- ---- B01 and B02 per unit and total (domain.md §3) -------------------------------------------
CREATE OR REPLACE TEMP TABLE b AS
SELECT coalesce(unit, '*') AS row, grouping(unit) AS is_total,
       -- B01 (việc)
       count(*) FILTER (WHERE in_scope AND carried) AS v_chuyen_sang,
       count(*) FILTER (WHERE in_scope AND NOT carried) AS v_moi,
       count(*) FILTER (WHERE state = 'uy_thac') AS v_uy_thac,
       count(*) FILTER (WHERE state = 'thu_hoi') AS v_thu_hoi,
       count(*) FILTER (WHERE state = 'xong') AS v_xong,
       count(*) FILTER (WHERE state = 'dinh_chi') AS v_dinh_chi,
       count(*) FILTER (WHERE state = 'dang_thi_hanh') AS v_dang_thi_hanh,
       count(*) FILTER (WHERE state = 'hoan_c') AS v_hoan_c,
       count(*) FILTER (WHERE state = 'khac') AS v_khac,
       count(*) FILTER (WHERE state = 'hoan_tdc') AS v_hoan_tdc,
       count(*) FILTER (WHERE state IN ('chua_co_dk', 'chuyen_so_rieng')) AS v_chua_co_dk,
       -- B02 (tiền, đồng)
       coalesce(sum(B) FILTER (WHERE in_scope AND carried), 0) AS t_chuyen_sang,
       coalesce(sum(B) FILTER (WHERE in_scope AND NOT carried), 0) AS t_moi,
       coalesce(sum(remaining) FILTER (WHERE state = 'uy_thac'), 0) AS t_uy_thac,
       coalesce(sum(remaining) FILTER (WHERE state = 'thu_hoi'), 0) AS t_thu_hoi,
       coalesce(sum(collected) FILTER (WHERE in_scope), 0) AS t_xong,
       coalesce(sum(remaining) FILTER (WHERE state = 'dinh_chi'), 0) AS t_dinh_chi,
       coalesce(sum(reduced) FILTER (WHERE in_scope), 0) AS t_giam,
       coalesce(sum(remaining) FILTER (WHERE state = 'dang_thi_hanh'), 0) AS t_dang_thi_hanh,
       coalesce(sum(remaining) FILTER (WHERE state = 'hoan_c'), 0) AS t_hoan_c,
       coalesce(sum(remaining) FILTER (WHERE state = 'khac'), 0) AS t_khac,
       coalesce(sum(remaining) FILTER (WHERE state = 'hoan_tdc'), 0) AS t_hoan_tdc,
       coalesce(sum(remaining) FILTER (WHERE state IN ('chua_co_dk', 'chuyen_so_rieng')), 0)
           AS t_chua_co_dk
FROM facts
GROUP BY GROUPING SETS ((unit), ());

-- Percent with two decimals, half up, from exact integers; '' when the denominator is 0.
CREATE OR REPLACE TEMP MACRO pct(num, den) AS
    CASE WHEN den = 0 THEN ''
         ELSE (((num::HUGEINT * 20000 + den) // (2 * den::HUGEINT)) // 100)::VARCHAR || '.' ||
              lpad((((num::HUGEINT * 20000 + den) // (2 * den::HUGEINT)) % 100)::VARCHAR, 2, '0')
    END;

CREATE OR REPLACE TEMP TABLE wide AS
WITH d AS (
    SELECT *,
           v_chuyen_sang + v_moi AS v_thu_ly,
           v_xong + v_dinh_chi + v_dang_thi_hanh + v_hoan_c + v_khac AS v_co_dk,
           t_chuyen_sang + t_moi AS t_thu_ly,
           t_xong + t_dinh_chi + t_giam + t_dang_thi_hanh + t_hoan_c + t_khac AS t_co_dk
    FROM b
)
SELECT *,
       v_thu_ly - v_uy_thac - v_thu_hoi AS v_phai_thi_hanh,
       t_thu_ly - t_uy_thac - t_thu_hoi AS t_phai_thi_hanh
FROM d;

CREATE OR REPLACE TEMP TABLE result AS
WITH cols(form, "column", ord) AS (
    VALUES ('B01', 'thu_ly', 1), ('B01', 'chuyen_sang', 2), ('B01', 'moi', 3),
           ('B01', 'uy_thac', 4), ('B01', 'thu_hoi', 5), ('B01', 'phai_thi_hanh', 6),
           ('B01', 'co_dk', 7), ('B01', 'xong', 8), ('B01', 'dinh_chi', 9),
           ('B01', 'dang_thi_hanh', 10), ('B01', 'hoan_c', 11), ('B01', 'khac', 12),
           ('B01', 'hoan_tdc', 13), ('B01', 'chua_co_dk', 14), ('B01', 'ty_le', 15),
           ('B01', 'chuyen_ky_sau', 16), ('B01', 'co_dk_chuyen_ky_sau', 17),
           ('B02', 'thu_ly', 1), ('B02', 'chuyen_sang', 2), ('B02', 'moi', 3),
           ('B02', 'uy_thac', 4), ('B02', 'thu_hoi', 5), ('B02', 'phai_thi_hanh', 6),
           ('B02', 'co_dk', 7), ('B02', 'xong', 8), ('B02', 'dinh_chi', 9), ('B02', 'giam', 10),
           ('B02', 'dang_thi_hanh', 11), ('B02', 'hoan_c', 12), ('B02', 'khac', 13),
           ('B02', 'hoan_tdc', 14), ('B02', 'chua_co_dk', 15), ('B02', 'ty_le', 16),
           ('B02', 'chuyen_ky_sau', 17), ('B02', 'co_dk_chuyen_ky_sau', 18)
)
SELECT cols.form, w.row, cols."column",
       CASE cols.form || '.' || cols."column"
           WHEN 'B01.thu_ly' THEN v_thu_ly::VARCHAR
           WHEN 'B01.chuyen_sang' THEN v_chuyen_sang::VARCHAR
           WHEN 'B01.moi' THEN v_moi::VARCHAR
           WHEN 'B01.uy_thac' THEN v_uy_thac::VARCHAR
           WHEN 'B01.thu_hoi' THEN v_thu_hoi::VARCHAR
           WHEN 'B01.phai_thi_hanh' THEN v_phai_thi_hanh::VARCHAR
           WHEN 'B01.co_dk' THEN v_co_dk::VARCHAR
           WHEN 'B01.xong' THEN v_xong::VARCHAR
           WHEN 'B01.dinh_chi' THEN v_dinh_chi::VARCHAR
           WHEN 'B01.dang_thi_hanh' THEN v_dang_thi_hanh::VARCHAR
           WHEN 'B01.hoan_c' THEN v_hoan_c::VARCHAR
           WHEN 'B01.khac' THEN v_khac::VARCHAR
           WHEN 'B01.hoan_tdc' THEN v_hoan_tdc::VARCHAR
           WHEN 'B01.chua_co_dk' THEN v_chua_co_dk::VARCHAR
           WHEN 'B01.ty_le' THEN pct(v_xong + v_dinh_chi, v_co_dk)
           WHEN 'B01.chuyen_ky_sau' THEN (v_phai_thi_hanh - v_xong - v_dinh_chi)::VARCHAR
           WHEN 'B01.co_dk_chuyen_ky_sau' THEN (v_co_dk - v_xong - v_dinh_chi)::VARCHAR
           WHEN 'B02.thu_ly' THEN t_thu_ly::VARCHAR
           WHEN 'B02.chuyen_sang' THEN t_chuyen_sang::VARCHAR
           WHEN 'B02.moi' THEN t_moi::VARCHAR
           WHEN 'B02.uy_thac' THEN t_uy_thac::VARCHAR
           WHEN 'B02.thu_hoi' THEN t_thu_hoi::VARCHAR
           WHEN 'B02.phai_thi_hanh' THEN t_phai_thi_hanh::VARCHAR
           WHEN 'B02.co_dk' THEN t_co_dk::VARCHAR
           WHEN 'B02.xong' THEN t_xong::VARCHAR
           WHEN 'B02.dinh_chi' THEN t_dinh_chi::VARCHAR
           WHEN 'B02.giam' THEN t_giam::VARCHAR
           WHEN 'B02.dang_thi_hanh' THEN t_dang_thi_hanh::VARCHAR
           WHEN 'B02.hoan_c' THEN t_hoan_c::VARCHAR
           WHEN 'B02.khac' THEN t_khac::VARCHAR
           WHEN 'B02.hoan_tdc' THEN t_hoan_tdc::VARCHAR
           WHEN 'B02.chua_co_dk' THEN t_chua_co_dk::VARCHAR
           WHEN 'B02.ty_le' THEN pct(t_xong + t_dinh_chi + t_giam, t_co_dk)
           WHEN 'B02.chuyen_ky_sau' THEN (t_phai_thi_hanh - t_xong - t_dinh_chi - t_giam)::VARCHAR
           WHEN 'B02.co_dk_chuyen_ky_sau' THEN (t_co_dk - t_xong - t_dinh_chi - t_giam)::VARCHAR
       END AS value,
       -- sheet order: unit rows by byte order of the code, the total row last; then columns
       (CASE cols.form WHEN 'B01' THEN 0 ELSE 1 END) AS form_ord, w.is_total, cols.ord
FROM wide w CROSS JOIN cols;

CREATE OR REPLACE TEMP TABLE stats AS
SELECT 'cases_accepted' AS what, (SELECT count(*) FROM c) AS n
UNION ALL SELECT 'events_parsed', (SELECT count(*) FROM raw_events)
UNION ALL SELECT 'events_unrecognised',
    (SELECT count(*) FROM raw_events JOIN kinds USING (su_kien) WHERE kind IS NULL)
UNION ALL SELECT 'events_taken', (SELECT coalesce(sum(n_live), 0) FROM agg)
UNION ALL SELECT 'cases_in_scope', (SELECT count(*) FROM facts WHERE in_scope);
