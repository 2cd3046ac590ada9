-- +goose Up
-- The registry's yearly counts, kept as the records change: the public home
-- shows two years' figures and the year's resolutions by category, and
-- counting them from a year's 100,000 resolutions on every request cost
-- 56–78 ms (BenchmarkPublicHome). Each count below moves in the same
-- transaction as the records it counts, by statement-level triggers over
-- the statement's rows (transition tables), so a reader's snapshot sees
-- counts that agree exactly with the records it would see; a rolled-back
-- change rolls its counts back with it. The figures' rows are still listed
-- from the records (GET /reports/registry/rows), and registry tests recount
-- every figure from the records after inserts, updates, status changes,
-- imports and deletions.

-- fiscal_years maps a date to its Solar Hijri (fiscal) year: 1 Farvardin to
-- the last day of Esfand, as taahod.FiscalYearBounds computes them (a test
-- compares every row), for every year a taahod.Date can fall in.
CREATE TABLE fiscal_years (
    year      INT PRIMARY KEY,
    first_day DATE NOT NULL UNIQUE,
    last_day  DATE NOT NULL UNIQUE CHECK (last_day > first_day)
);
INSERT INTO fiscal_years (year, first_day, last_day) VALUES
    (1278, '1899-03-21', '1900-03-20'), (1279, '1900-03-21', '1901-03-20'), (1280, '1901-03-21', '1902-03-21'), (1281, '1902-03-22', '1903-03-21'),
    (1282, '1903-03-22', '1904-03-20'), (1283, '1904-03-21', '1905-03-20'), (1284, '1905-03-21', '1906-03-21'), (1285, '1906-03-22', '1907-03-21'),
    (1286, '1907-03-22', '1908-03-20'), (1287, '1908-03-21', '1909-03-20'), (1288, '1909-03-21', '1910-03-21'), (1289, '1910-03-22', '1911-03-21'),
    (1290, '1911-03-22', '1912-03-20'), (1291, '1912-03-21', '1913-03-20'), (1292, '1913-03-21', '1914-03-21'), (1293, '1914-03-22', '1915-03-21'),
    (1294, '1915-03-22', '1916-03-20'), (1295, '1916-03-21', '1917-03-20'), (1296, '1917-03-21', '1918-03-21'), (1297, '1918-03-22', '1919-03-21'),
    (1298, '1919-03-22', '1920-03-20'), (1299, '1920-03-21', '1921-03-20'), (1300, '1921-03-21', '1922-03-21'), (1301, '1922-03-22', '1923-03-21'),
    (1302, '1923-03-22', '1924-03-20'), (1303, '1924-03-21', '1925-03-20'), (1304, '1925-03-21', '1926-03-21'), (1305, '1926-03-22', '1927-03-21'),
    (1306, '1927-03-22', '1928-03-20'), (1307, '1928-03-21', '1929-03-20'), (1308, '1929-03-21', '1930-03-20'), (1309, '1930-03-21', '1931-03-21'),
    (1310, '1931-03-22', '1932-03-20'), (1311, '1932-03-21', '1933-03-20'), (1312, '1933-03-21', '1934-03-20'), (1313, '1934-03-21', '1935-03-21'),
    (1314, '1935-03-22', '1936-03-20'), (1315, '1936-03-21', '1937-03-20'), (1316, '1937-03-21', '1938-03-20'), (1317, '1938-03-21', '1939-03-21'),
    (1318, '1939-03-22', '1940-03-20'), (1319, '1940-03-21', '1941-03-20'), (1320, '1941-03-21', '1942-03-20'), (1321, '1942-03-21', '1943-03-21'),
    (1322, '1943-03-22', '1944-03-20'), (1323, '1944-03-21', '1945-03-20'), (1324, '1945-03-21', '1946-03-20'), (1325, '1946-03-21', '1947-03-21'),
    (1326, '1947-03-22', '1948-03-20'), (1327, '1948-03-21', '1949-03-20'), (1328, '1949-03-21', '1950-03-20'), (1329, '1950-03-21', '1951-03-21'),
    (1330, '1951-03-22', '1952-03-20'), (1331, '1952-03-21', '1953-03-20'), (1332, '1953-03-21', '1954-03-20'), (1333, '1954-03-21', '1955-03-21'),
    (1334, '1955-03-22', '1956-03-20'), (1335, '1956-03-21', '1957-03-20'), (1336, '1957-03-21', '1958-03-20'), (1337, '1958-03-21', '1959-03-21'),
    (1338, '1959-03-22', '1960-03-20'), (1339, '1960-03-21', '1961-03-20'), (1340, '1961-03-21', '1962-03-20'), (1341, '1962-03-21', '1963-03-20'),
    (1342, '1963-03-21', '1964-03-20'), (1343, '1964-03-21', '1965-03-20'), (1344, '1965-03-21', '1966-03-20'), (1345, '1966-03-21', '1967-03-20'),
    (1346, '1967-03-21', '1968-03-20'), (1347, '1968-03-21', '1969-03-20'), (1348, '1969-03-21', '1970-03-20'), (1349, '1970-03-21', '1971-03-20'),
    (1350, '1971-03-21', '1972-03-20'), (1351, '1972-03-21', '1973-03-20'), (1352, '1973-03-21', '1974-03-20'), (1353, '1974-03-21', '1975-03-20'),
    (1354, '1975-03-21', '1976-03-20'), (1355, '1976-03-21', '1977-03-20'), (1356, '1977-03-21', '1978-03-20'), (1357, '1978-03-21', '1979-03-20'),
    (1358, '1979-03-21', '1980-03-20'), (1359, '1980-03-21', '1981-03-20'), (1360, '1981-03-21', '1982-03-20'), (1361, '1982-03-21', '1983-03-20'),
    (1362, '1983-03-21', '1984-03-20'), (1363, '1984-03-21', '1985-03-20'), (1364, '1985-03-21', '1986-03-20'), (1365, '1986-03-21', '1987-03-20'),
    (1366, '1987-03-21', '1988-03-20'), (1367, '1988-03-21', '1989-03-20'), (1368, '1989-03-21', '1990-03-20'), (1369, '1990-03-21', '1991-03-20'),
    (1370, '1991-03-21', '1992-03-20'), (1371, '1992-03-21', '1993-03-20'), (1372, '1993-03-21', '1994-03-20'), (1373, '1994-03-21', '1995-03-20'),
    (1374, '1995-03-21', '1996-03-19'), (1375, '1996-03-20', '1997-03-20'), (1376, '1997-03-21', '1998-03-20'), (1377, '1998-03-21', '1999-03-20'),
    (1378, '1999-03-21', '2000-03-19'), (1379, '2000-03-20', '2001-03-20'), (1380, '2001-03-21', '2002-03-20'), (1381, '2002-03-21', '2003-03-20'),
    (1382, '2003-03-21', '2004-03-19'), (1383, '2004-03-20', '2005-03-20'), (1384, '2005-03-21', '2006-03-20'), (1385, '2006-03-21', '2007-03-20'),
    (1386, '2007-03-21', '2008-03-19'), (1387, '2008-03-20', '2009-03-20'), (1388, '2009-03-21', '2010-03-20'), (1389, '2010-03-21', '2011-03-20'),
    (1390, '2011-03-21', '2012-03-19'), (1391, '2012-03-20', '2013-03-20'), (1392, '2013-03-21', '2014-03-20'), (1393, '2014-03-21', '2015-03-20'),
    (1394, '2015-03-21', '2016-03-19'), (1395, '2016-03-20', '2017-03-20'), (1396, '2017-03-21', '2018-03-20'), (1397, '2018-03-21', '2019-03-20'),
    (1398, '2019-03-21', '2020-03-19'), (1399, '2020-03-20', '2021-03-20'), (1400, '2021-03-21', '2022-03-20'), (1401, '2022-03-21', '2023-03-20'),
    (1402, '2023-03-21', '2024-03-19'), (1403, '2024-03-20', '2025-03-20'), (1404, '2025-03-21', '2026-03-20'), (1405, '2026-03-21', '2027-03-20'),
    (1406, '2027-03-21', '2028-03-19'), (1407, '2028-03-20', '2029-03-19'), (1408, '2029-03-20', '2030-03-20'), (1409, '2030-03-21', '2031-03-20'),
    (1410, '2031-03-21', '2032-03-19'), (1411, '2032-03-20', '2033-03-19'), (1412, '2033-03-20', '2034-03-20'), (1413, '2034-03-21', '2035-03-20'),
    (1414, '2035-03-21', '2036-03-19'), (1415, '2036-03-20', '2037-03-19'), (1416, '2037-03-20', '2038-03-20'), (1417, '2038-03-21', '2039-03-20'),
    (1418, '2039-03-21', '2040-03-19'), (1419, '2040-03-20', '2041-03-19'), (1420, '2041-03-20', '2042-03-20'), (1421, '2042-03-21', '2043-03-20'),
    (1422, '2043-03-21', '2044-03-19'), (1423, '2044-03-20', '2045-03-19'), (1424, '2045-03-20', '2046-03-20'), (1425, '2046-03-21', '2047-03-20'),
    (1426, '2047-03-21', '2048-03-19'), (1427, '2048-03-20', '2049-03-19'), (1428, '2049-03-20', '2050-03-20'), (1429, '2050-03-21', '2051-03-20'),
    (1430, '2051-03-21', '2052-03-19'), (1431, '2052-03-20', '2053-03-19'), (1432, '2053-03-20', '2054-03-20'), (1433, '2054-03-21', '2055-03-20'),
    (1434, '2055-03-21', '2056-03-19'), (1435, '2056-03-20', '2057-03-19'), (1436, '2057-03-20', '2058-03-20'), (1437, '2058-03-21', '2059-03-20'),
    (1438, '2059-03-21', '2060-03-19'), (1439, '2060-03-20', '2061-03-19'), (1440, '2061-03-20', '2062-03-19'), (1441, '2062-03-20', '2063-03-20'),
    (1442, '2063-03-21', '2064-03-19'), (1443, '2064-03-20', '2065-03-19'), (1444, '2065-03-20', '2066-03-19'), (1445, '2066-03-20', '2067-03-20'),
    (1446, '2067-03-21', '2068-03-19'), (1447, '2068-03-20', '2069-03-19'), (1448, '2069-03-20', '2070-03-19'), (1449, '2070-03-20', '2071-03-20'),
    (1450, '2071-03-21', '2072-03-19'), (1451, '2072-03-20', '2073-03-19'), (1452, '2073-03-20', '2074-03-19'), (1453, '2074-03-20', '2075-03-20'),
    (1454, '2075-03-21', '2076-03-19'), (1455, '2076-03-20', '2077-03-19'), (1456, '2077-03-20', '2078-03-19'), (1457, '2078-03-20', '2079-03-20'),
    (1458, '2079-03-21', '2080-03-19'), (1459, '2080-03-20', '2081-03-19'), (1460, '2081-03-20', '2082-03-19'), (1461, '2082-03-20', '2083-03-20'),
    (1462, '2083-03-21', '2084-03-19'), (1463, '2084-03-20', '2085-03-19'), (1464, '2085-03-20', '2086-03-19'), (1465, '2086-03-20', '2087-03-20'),
    (1466, '2087-03-21', '2088-03-19'), (1467, '2088-03-20', '2089-03-19'), (1468, '2089-03-20', '2090-03-19'), (1469, '2090-03-20', '2091-03-20'),
    (1470, '2091-03-21', '2092-03-19'), (1471, '2092-03-20', '2093-03-19'), (1472, '2093-03-20', '2094-03-19'), (1473, '2094-03-20', '2095-03-19'),
    (1474, '2095-03-20', '2096-03-19'), (1475, '2096-03-20', '2097-03-19'), (1476, '2097-03-20', '2098-03-19'), (1477, '2098-03-20', '2099-03-19'),
    (1478, '2099-03-20', '2100-03-20'), (1479, '2100-03-21', '2101-03-20'), (1480, '2101-03-21', '2102-03-20'), (1481, '2102-03-21', '2103-03-20'),
    (1482, '2103-03-21', '2104-03-20'), (1483, '2104-03-21', '2105-03-20'), (1484, '2105-03-21', '2106-03-20'), (1485, '2106-03-21', '2107-03-20'),
    (1486, '2107-03-21', '2108-03-20'), (1487, '2108-03-21', '2109-03-20'), (1488, '2109-03-21', '2110-03-20'), (1489, '2110-03-21', '2111-03-20'),
    (1490, '2111-03-21', '2112-03-20'), (1491, '2112-03-21', '2113-03-20'), (1492, '2113-03-21', '2114-03-20'), (1493, '2114-03-21', '2115-03-20'),
    (1494, '2115-03-21', '2116-03-20'), (1495, '2116-03-21', '2117-03-20'), (1496, '2117-03-21', '2118-03-20'), (1497, '2118-03-21', '2119-03-20'),
    (1498, '2119-03-21', '2120-03-20'), (1499, '2120-03-21', '2121-03-20'), (1500, '2121-03-21', '2122-03-20'), (1501, '2122-03-21', '2123-03-20'),
    (1502, '2123-03-21', '2124-03-20'), (1503, '2124-03-21', '2125-03-20'), (1504, '2125-03-21', '2126-03-20'), (1505, '2126-03-21', '2127-03-20'),
    (1506, '2127-03-21', '2128-03-19'), (1507, '2128-03-20', '2129-03-20'), (1508, '2129-03-21', '2130-03-20'), (1509, '2130-03-21', '2131-03-20'),
    (1510, '2131-03-21', '2132-03-19'), (1511, '2132-03-20', '2133-03-20'), (1512, '2133-03-21', '2134-03-20'), (1513, '2134-03-21', '2135-03-20'),
    (1514, '2135-03-21', '2136-03-19'), (1515, '2136-03-20', '2137-03-20'), (1516, '2137-03-21', '2138-03-20'), (1517, '2138-03-21', '2139-03-20'),
    (1518, '2139-03-21', '2140-03-19'), (1519, '2140-03-20', '2141-03-20'), (1520, '2141-03-21', '2142-03-20'), (1521, '2142-03-21', '2143-03-20'),
    (1522, '2143-03-21', '2144-03-19'), (1523, '2144-03-20', '2145-03-20'), (1524, '2145-03-21', '2146-03-20'), (1525, '2146-03-21', '2147-03-20'),
    (1526, '2147-03-21', '2148-03-19'), (1527, '2148-03-20', '2149-03-20'), (1528, '2149-03-21', '2150-03-20'), (1529, '2150-03-21', '2151-03-20'),
    (1530, '2151-03-21', '2152-03-19'), (1531, '2152-03-20', '2153-03-20'), (1532, '2153-03-21', '2154-03-20'), (1533, '2154-03-21', '2155-03-20'),
    (1534, '2155-03-21', '2156-03-19'), (1535, '2156-03-20', '2157-03-20'), (1536, '2157-03-21', '2158-03-20'), (1537, '2158-03-21', '2159-03-20'),
    (1538, '2159-03-21', '2160-03-19'), (1539, '2160-03-20', '2161-03-19'), (1540, '2161-03-20', '2162-03-20'), (1541, '2162-03-21', '2163-03-20'),
    (1542, '2163-03-21', '2164-03-19'), (1543, '2164-03-20', '2165-03-19'), (1544, '2165-03-20', '2166-03-20'), (1545, '2166-03-21', '2167-03-20'),
    (1546, '2167-03-21', '2168-03-19'), (1547, '2168-03-20', '2169-03-19'), (1548, '2169-03-20', '2170-03-20'), (1549, '2170-03-21', '2171-03-20'),
    (1550, '2171-03-21', '2172-03-19'), (1551, '2172-03-20', '2173-03-19'), (1552, '2173-03-20', '2174-03-20'), (1553, '2174-03-21', '2175-03-20'),
    (1554, '2175-03-21', '2176-03-19'), (1555, '2176-03-20', '2177-03-19'), (1556, '2177-03-20', '2178-03-20'), (1557, '2178-03-21', '2179-03-20'),
    (1558, '2179-03-21', '2180-03-19'), (1559, '2180-03-20', '2181-03-19'), (1560, '2181-03-20', '2182-03-20'), (1561, '2182-03-21', '2183-03-20'),
    (1562, '2183-03-21', '2184-03-19'), (1563, '2184-03-20', '2185-03-19'), (1564, '2185-03-20', '2186-03-20'), (1565, '2186-03-21', '2187-03-20'),
    (1566, '2187-03-21', '2188-03-19'), (1567, '2188-03-20', '2189-03-19'), (1568, '2189-03-20', '2190-03-20'), (1569, '2190-03-21', '2191-03-20'),
    (1570, '2191-03-21', '2192-03-19'), (1571, '2192-03-20', '2193-03-19'), (1572, '2193-03-20', '2194-03-19'), (1573, '2194-03-20', '2195-03-20'),
    (1574, '2195-03-21', '2196-03-19'), (1575, '2196-03-20', '2197-03-19'), (1576, '2197-03-20', '2198-03-19'), (1577, '2198-03-20', '2199-03-20'),
    (1578, '2199-03-21', '2200-03-20');

-- Every resolution and case is dated within those years (the service takes
-- dates of 1900 to 2199), so each falls in exactly one counted year.
ALTER TABLE resolutions ADD CONSTRAINT resolutions_adopted_on_counted
    CHECK (adopted_on BETWEEN DATE '1899-03-21' AND DATE '2200-03-20');
ALTER TABLE cases ADD CONSTRAINT cases_opened_on_counted
    CHECK (opened_on BETWEEN DATE '1899-03-21' AND DATE '2200-03-20');

-- The counts carry no CHECK (n >= 0): an upsert's proposed row, checked
-- before its conflict is found, holds the change (-1), not the count. The
-- triggers refuse a count that would go below zero instead.

-- The resolutions adopted in each year by category and latest status.
CREATE TABLE registry_year_resolutions (
    year     INT NOT NULL,
    category TEXT NOT NULL,
    status   TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (year, category, status)
);

-- Each unit's resolutions adopted in each year, and those of field sessions;
-- registry_year_units_examined counts the units with at least one.
CREATE TABLE registry_year_units (
    year              INT NOT NULL,
    unit_id           BIGINT NOT NULL,
    resolutions       BIGINT NOT NULL,
    field_resolutions BIGINT NOT NULL,
    PRIMARY KEY (year, unit_id)
);
CREATE TABLE registry_year_units_examined (
    year                             INT PRIMARY KEY,
    units_examined                   BIGINT NOT NULL,
    units_examined_in_field_sessions BIGINT NOT NULL
);

-- The cases opened in each year by channel and outcome.
CREATE TABLE registry_year_cases (
    year    INT NOT NULL,
    channel TEXT NOT NULL,
    outcome TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (year, channel, outcome)
);

-- registry_count_resolutions applies a statement's resolutions (new rows
-- +1, old rows -1, an update both) to the counts. The deltas are summed per
-- key first, so an update that moves nothing counted writes nothing, and
-- the counts are written in key order, so that two transactions lock them
-- in the same order. A unit's count changing from or to zero moves the
-- year's units examined: the upsert returns the count after the change,
-- under the row's lock, so "before" is exact even with writers side by side.
-- The transition tables are read through EXECUTE because which of them
-- exists depends on the event. JIT is off: the planner cannot know how few
-- keys a bulk statement's rows fall into, and compiling the statement for a
-- large import cost more than running it (30,000 resolutions: 9.7 s with
-- JIT).
-- +goose StatementBegin
CREATE FUNCTION registry_count_resolutions() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    cols CONSTANT text := 'adopted_on, category, status, unit_id, session_kind IS NOT DISTINCT FROM ''field'' AS field';
    src text;
    bad bigint;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s, 1 AS d FROM new_rows', cols)
        WHEN 'DELETE' THEN format('SELECT %s, -1 AS d FROM old_rows', cols)
        ELSE format('SELECT %s, 1 AS d FROM new_rows UNION ALL SELECT %s, -1 AS d FROM old_rows', cols, cols)
    END;
    EXECUTE format($q$
        WITH x AS (%s),
        -- Each day's year, looked up once per day rather than per row.
        days AS (
            SELECT d.day, y.year
              FROM (SELECT DISTINCT adopted_on AS day FROM x) d
              JOIN fiscal_years y ON d.day BETWEEN y.first_day AND y.last_day),
        delta AS (
            SELECT days.year, x.category, x.status, x.unit_id, x.field, sum(x.d) AS d
              FROM x JOIN days ON days.day = x.adopted_on
             GROUP BY 1, 2, 3, 4, 5),
        counted AS (
            INSERT INTO registry_year_resolutions AS t (year, category, status, n)
            SELECT year, category, status, sum(d) FROM delta
             GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (year, category, status) DO UPDATE SET n = t.n + excluded.n
            RETURNING t.n),
        unit_delta AS (
            SELECT year, unit_id, sum(d) AS d, COALESCE(sum(d) FILTER (WHERE field), 0) AS field_d
              FROM delta WHERE unit_id IS NOT NULL
             GROUP BY 1, 2 HAVING sum(d) <> 0 OR COALESCE(sum(d) FILTER (WHERE field), 0) <> 0),
        units AS (
            INSERT INTO registry_year_units AS t (year, unit_id, resolutions, field_resolutions)
            SELECT year, unit_id, d, field_d FROM unit_delta ORDER BY 1, 2
            ON CONFLICT (year, unit_id) DO UPDATE
               SET resolutions = t.resolutions + excluded.resolutions,
                   field_resolutions = t.field_resolutions + excluded.field_resolutions
            RETURNING t.year, t.unit_id, t.resolutions, t.field_resolutions),
        moved AS (
            SELECT u.year,
                   count(*) FILTER (WHERE u.resolutions > 0 AND u.resolutions - ud.d = 0)
                 - count(*) FILTER (WHERE u.resolutions = 0 AND u.resolutions - ud.d > 0) AS examined,
                   count(*) FILTER (WHERE u.field_resolutions > 0 AND u.field_resolutions - ud.field_d = 0)
                 - count(*) FILTER (WHERE u.field_resolutions = 0 AND u.field_resolutions - ud.field_d > 0) AS field
              FROM units u JOIN unit_delta ud ON ud.year = u.year AND ud.unit_id = u.unit_id
             GROUP BY 1),
        examined AS (
            INSERT INTO registry_year_units_examined AS t (year, units_examined, units_examined_in_field_sessions)
            SELECT year, examined, field FROM moved WHERE examined <> 0 OR field <> 0 ORDER BY 1
            ON CONFLICT (year) DO UPDATE
               SET units_examined = t.units_examined + excluded.units_examined,
                   units_examined_in_field_sessions = t.units_examined_in_field_sessions + excluded.units_examined_in_field_sessions
            RETURNING t.units_examined, t.units_examined_in_field_sessions)
        SELECT (SELECT count(*) FROM counted WHERE n < 0)
             + (SELECT count(*) FROM units WHERE field_resolutions < 0 OR field_resolutions > resolutions)
             + (SELECT count(*) FROM examined WHERE units_examined_in_field_sessions < 0
                                                OR units_examined_in_field_sessions > units_examined)
    $q$, src) INTO bad;
    IF bad > 0 THEN
        RAISE EXCEPTION 'the registry''s yearly counts of resolutions would go below zero: they no longer match the records'
            USING ERRCODE = '23514', CONSTRAINT = 'registry_year_counts_not_negative';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER resolutions_count_insert AFTER INSERT ON resolutions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_resolutions();
CREATE TRIGGER resolutions_count_update AFTER UPDATE ON resolutions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_resolutions();
CREATE TRIGGER resolutions_count_delete AFTER DELETE ON resolutions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_resolutions();

-- registry_count_cases does the same for cases by channel and outcome.
-- +goose StatementBegin
CREATE FUNCTION registry_count_cases() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    src text;
    bad bigint;
BEGIN
    src := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT opened_on, channel, outcome, 1 AS d FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT opened_on, channel, outcome, -1 AS d FROM old_rows'
        ELSE 'SELECT opened_on, channel, outcome, 1 AS d FROM new_rows UNION ALL SELECT opened_on, channel, outcome, -1 AS d FROM old_rows'
    END;
    EXECUTE format($q$
        WITH x AS (%s),
        days AS (
            SELECT d.day, y.year
              FROM (SELECT DISTINCT opened_on AS day FROM x) d
              JOIN fiscal_years y ON d.day BETWEEN y.first_day AND y.last_day),
        counted AS (
            INSERT INTO registry_year_cases AS t (year, channel, outcome, n)
            SELECT days.year, x.channel, x.outcome, sum(x.d)
              FROM x JOIN days ON days.day = x.opened_on
             GROUP BY 1, 2, 3 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (year, channel, outcome) DO UPDATE SET n = t.n + excluded.n
            RETURNING t.n)
        SELECT count(*) FROM counted WHERE n < 0
    $q$, src) INTO bad;
    IF bad > 0 THEN
        RAISE EXCEPTION 'the registry''s yearly counts of cases would go below zero: they no longer match the records'
            USING ERRCODE = '23514', CONSTRAINT = 'registry_year_counts_not_negative';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER cases_count_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_cases();
CREATE TRIGGER cases_count_update AFTER UPDATE ON cases
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_cases();
CREATE TRIGGER cases_count_delete AFTER DELETE ON cases
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_cases();

-- TRUNCATE fires no row or transition triggers: it empties the counts too.
-- +goose StatementBegin
CREATE FUNCTION registry_count_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'resolutions' THEN
        DELETE FROM registry_year_resolutions;
        DELETE FROM registry_year_units;
        DELETE FROM registry_year_units_examined;
    ELSE
        DELETE FROM registry_year_cases;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER resolutions_count_truncate AFTER TRUNCATE ON resolutions
    FOR EACH STATEMENT EXECUTE FUNCTION registry_count_truncate();
CREATE TRIGGER cases_count_truncate AFTER TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION registry_count_truncate();

-- The counts of the records already there (each day's year looked up once).
CREATE TEMPORARY TABLE registry_days ON COMMIT DROP AS
SELECT d.day, y.year
  FROM (SELECT adopted_on AS day FROM resolutions UNION SELECT opened_on FROM cases) d
  JOIN fiscal_years y ON d.day BETWEEN y.first_day AND y.last_day;
INSERT INTO registry_year_resolutions (year, category, status, n)
SELECT d.year, r.category, r.status, count(*)
  FROM resolutions r JOIN registry_days d ON d.day = r.adopted_on
 GROUP BY 1, 2, 3;
INSERT INTO registry_year_units (year, unit_id, resolutions, field_resolutions)
SELECT d.year, r.unit_id, count(*), count(*) FILTER (WHERE r.session_kind = 'field')
  FROM resolutions r JOIN registry_days d ON d.day = r.adopted_on
 WHERE r.unit_id IS NOT NULL
 GROUP BY 1, 2;
INSERT INTO registry_year_units_examined (year, units_examined, units_examined_in_field_sessions)
SELECT year, count(*), count(*) FILTER (WHERE field_resolutions > 0) FROM registry_year_units GROUP BY 1;
INSERT INTO registry_year_cases (year, channel, outcome, n)
SELECT d.year, c.channel, c.outcome, count(*)
  FROM cases c JOIN registry_days d ON d.day = c.opened_on
 GROUP BY 1, 2, 3;
DROP TABLE registry_days;
