"""Page chrome in plain-text copies: the lines a copying site glues around an article.

Scrapers and content farms keep their own site's furniture when they copy a story: a source
line ("Source: Reuters", "来源：新华网", "By:<url>"), editor credits ("(责任编辑：admin)"),
next/previous-article links, share buttons, tag lists, copyright footers, related-headline lists.
Each pattern here matches a *whole line* (a copy's chrome sits on lines of its own) and is
bounded in length, so a body sentence that merely mentions a source or a copyright is never taken
for chrome. Editor credits are the one exception: they get glued onto the end of the last body
line, so they are cut out of any line.

Patterns cover the languages such copies most often come in (English, German, French, Spanish,
Italian, Portuguese, Russian/Ukrainian, Chinese, Japanese, Korean); adding a language means adding
words to the alternations, not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from crosswire.extract.provenance import clean_url

__all__ = [
    "END_STRONG",
    "END_WEAK",
    "Chrome",
    "ChromeKind",
    "bullet_style",
    "classify",
    "has_url",
    "is_list_item",
    "is_widget",
    "reporter_of",
    "source_of",
    "strip_bullet",
    "strip_credits",
]

ChromeKind = Literal[
    "provenance",
    "source",
    "credit",
    "nav",
    "copyright",
    "share",
    "tags",
    "related",
    "ad",
    "subscribe",
    "comments",
    "disclaimer",
    "end",
    "meta",
    "breadcrumb",
]

#: Kinds that end an article whatever follows them, if the article is the bigger part of the page.
END_STRONG: frozenset[ChromeKind] = frozenset(
    {"provenance", "nav", "copyright", "tags", "comments", "disclaimer", "end"}
)
#: Kinds that end an article only when nothing but chrome and short lines follows them.
END_WEAK: frozenset[ChromeKind] = frozenset({"source", "related", "share", "subscribe", "credit"})

# Long lines are content: every chrome pattern below is checked only on lines up to this length.
_MAX_CHROME_CHARS = 400


@dataclass(frozen=True, slots=True)
class Chrome:
    kind: ChromeKind
    reason: str
    url: str | None = None
    """The original's URL, for provenance lines."""
    name: str | None = None
    """A named source ("Reuters") or, for related links, the linked headline."""
    weak: bool = False
    """A strong kind in an ambiguous form ("Next" alone): ends an article only as weak ones do."""


def _alt(words: str) -> str:
    return "(?:" + "|".join(w.strip() for w in words.split("|") if w.strip()) + ")"


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()（）\[\]【】{}|^`]+", re.IGNORECASE)

# --- editor credits -----------------------------------------------------------------------------
_CREDIT_WORDS = _alt(
    r"""责任编辑|責任編輯|责编|責編|编辑|編輯|实习编辑|實習編輯|校对|校對|审核|審核|审校|編審|编审|
    监制|監製|值班编辑|编译|編譯|Editor|Editors|Edited by|Editing by|Reporting by|
    Additional reporting by|Writing by|Compiled by|Redaktion|Redakteur|Redakteurin|Bearbeitung|
    Rédaction|Rédacteur|Édité par|Edición|Редактор|Редакция|Редактировал|Редактировала|
    편집|에디터"""
)
_PAREN_CREDIT = re.compile(
    r"[(（\[【]\s*" + _CREDIT_WORDS + r"(?:\s*[:：]\s*|\s+)[^()（）\[\]【】\n]{1,120}[)）\]】]",
    re.IGNORECASE,
)
# "（完）", "(END)": the wire's end-of-story mark, glued to the last paragraph.
_PAREN_END = re.compile(r"[(（]\s*(?:完|end|ende|fin|конец)\s*[)）]\s*$", re.IGNORECASE)
_LINE_CREDIT = re.compile(r"^" + _CREDIT_WORDS + r"\s*[:：]\s*\S.{0,80}$", re.IGNORECASE)
_REPORTING_BY = re.compile(r"reporting by\s+([^;()]{2,80})", re.IGNORECASE)

# --- provenance ---------------------------------------------------------------------------------
_SOURCE_WORDS = _alt(
    r"""source|sources|source link|source url|original source|original article|original|
    original url|quelle|quellen|originalquelle|fuente|fonte|bron|źródło|zdroj|kilde|källa|lähde|
    kaynak|источник|джерело|оригинал|出处|出處|来源|來源|文章来源|文章來源|新闻来源|新聞來源|
    信息来源|稿源|本文来源|消息来源|转载自|轉載自|本文转载自|原文|原文链接|原文鏈接|原文地址|
    原文網址|原文出处|阅读原文|閱讀原文|출처|원문|出典|元記事|sumber|nguồn"""
)
_SOURCE_LINE = re.compile(
    r"^[\[【(（]?\s*" + _SOURCE_WORDS + r"\s*[:：]\s*(?P<rest>.*?)\s*[\]】)）]?$", re.IGNORECASE
)
_BY_URL = re.compile(
    r"^(?:by|via|from|von|par|por)\s*[:：]?\s*(?P<url>(?:https?://|www\.)\S+)$", re.I
)
_VIA = re.compile(r"^via\s*[:：]\s*(?P<rest>.{1,80})$", re.IGNORECASE)
_REPUBLISHED = re.compile(
    r"""^(?:
      (?:this\s+(?:article|story|piece|post|report)\s+(?:was\s+|has\s+been\s+|is\s+)?|)
        (?:originally\s+|first\s+)(?:published|appeared|posted|ran|written)\b
    | this\s+(?:article|story|piece|post)\s+(?:was|is|has\s+been)\s+
        (?:republished|reprinted|reproduced|syndicated|adapted)\b
    | (?:reprinted|republished|reproduced|syndicated)\s+(?:from|with|by|under|courtesy)\b
    | (?:read|view|see)\s+(?:the\s+)?(?:original|full)\s+(?:article|story|version|post|report)\b
    | continue\s+reading\s+(?:at|on)\b
    | (?:ursprünglich|erstmals|zuerst)\s+(?:erschienen|veröffentlicht)\b
    | dieser\s+(?:artikel|beitrag|text)\s+(?:ist|erschien|wurde)\s+
        (?:zuerst|ursprünglich|erstmals)\b
    | (?:cet\s+|l')article\s+(?:a\s+été\s+|est\s+)?(?:initialement\s+|d'abord\s+|originellement\s+)?
        (?:publié|paru)\b
    | publié\s+(?:initialement|à\s+l'origine|originellement|d'abord)\b
    | (?:este|el)\s+(?:artículo|texto)\s+(?:fue\s+)?(?:publicado|apareció)\s+
        (?:originalmente|primero)\b
    | publicado\s+(?:originalmente|primero|inicialmente)\b
    | впервые\s+опубликован\w*
    | (?:本文|此文)(?:首发|首發|原载|原載|转载|轉載|来自|來自|源自|转自|轉自|原发|原發)
    | 原载|原載|首发于|首發於|转自|轉自
    ).{0,300}$""",
    re.IGNORECASE | re.VERBOSE,
)

# --- navigation, sharing, widgets -----------------------------------------------------------------
_NAV_NEXT_CJK = (
    r"下一篇|下一页|下一頁|下一条|下一條|下篇|后一篇|後一篇|다음\s?글|다음\s?기사|次の記事"
)
_NAV_PREV_CJK = r"上一篇|上一页|上一頁|上一条|上一條|上篇|前一篇|이전\s?글|이전\s?기사|前の記事"
_NAV_NEXT = _alt(
    r"""next|next article|next story|next post|next page|read next|up next|coming up next|
    nächster artikel|nächste seite|nächster beitrag|weiter|article suivant|suivant|
    artículo siguiente|siguiente artículo|siguiente noticia|siguiente|следующая статья|
    следующая новость|следующая|следующий материал|próximo artigo|próxima notícia|
    articolo successivo|volgend artikel"""
)
_NAV_PREV = _alt(
    r"""previous|prev|previous article|previous story|previous post|previous page|
    vorheriger artikel|vorherige seite|vorheriger beitrag|zurück|article précédent|précédent|
    artículo anterior|anterior|предыдущая статья|предыдущая новость|предыдущая|предыдущий материал|
    artigo anterior|notícia anterior|articolo precedente|vorig artikel"""
)
_NAV = re.compile(
    r"^[\[【<«‹]?\s*(?:(?P<next_cjk>" + _NAV_NEXT_CJK + r")|(?P<prev_cjk>" + _NAV_PREV_CJK + r"))"
    r"\s*[\]】>»›]?\s*[:：|>»›]?\s*(?P<rest_cjk>.*)$"
    r"|^[\[【<«‹]?\s*(?:(?P<next>" + _NAV_NEXT + r")|(?P<prev>" + _NAV_PREV + r"))"
    r"\s*[\]】>»›]*\s*(?:[:：|>»›]\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_COPYRIGHT_START = re.compile(
    r"^(?:©|ⓒ|\(c\)\s*\d{4}|copyright\s*(?:©|\(c\)|\d{4}|[:：]|by\b|of\b|notice\b|$)|版权所有|版權所有|版权声明|版權聲明|著作権|저작권)",
    re.IGNORECASE,
)
_COPYRIGHT_ANY = re.compile(
    r"all rights reserved|alle rechte vorbehalten|tous droits réservés|"
    r"todos los derechos reservados|tutti i diritti riservati|todos os direitos reservados|"
    r"все права защищены|всі права захищені|"
    r"版权所有|版權所有|不得转载|不得轉載|禁止转载|禁止轉載|转载请注明|轉載請註明|無断転載|"
    r"무단\s?전재",
    re.IGNORECASE,
)
_SOCIAL = _alt(
    r"""facebook|twitter|x|whatsapp|telegram|linkedin|reddit|pinterest|email|e-mail|mail|print|
    copy link|copy url|messenger|viber|vk|вконтакте|одноклассники|微信|微博|qq空间|qq|豆瓣|朋友圈|
    flipboard|bluesky|threads|instagram|tumblr|line"""
)
_SHARE = re.compile(
    r"^(?:share(?:\s+(?:this|the))?(?:\s+(?:article|story|page|post|link))?(?:\s+(?:on|via|to)\s+\w+)?|"
    r"tweet|teilen|artikel teilen|beitrag teilen|partager(?:\s+(?:cet|l')\s?article)?|compartir|"
    r"condividi|compartilhar|поделиться|分享(?:到|至)?|转发|轉發|点赞|點讚|공유(?:하기)?|シェア)"
    r"\s*[:：]?\s*(?:" + _SOCIAL + r"[\s,|/·•]*)*$",
    re.IGNORECASE,
)
_SOCIAL_ONLY = re.compile(
    r"^(?:(?:facebook|twitter|whatsapp|telegram|linkedin|reddit|pinterest|email|e-mail|print|"
    r"messenger|вконтакте|微信|微博|qq空间|豆瓣|flipboard|bluesky|instagram|copy link|"
    r"x\s*\(formerly twitter\))\s*[,|/·•]?\s*)+$",
    re.IGNORECASE,
)
_TAGS = re.compile(
    r"^(?:tags?|tagged(?:\s+with)?|topics?|filed under|categories|category|keywords|schlagwörter|"
    r"schlagworte|stichworte|themen|mots[- ]clés|étiquettes|thèmes|etiquetas|palabras clave|"
    r"argomenti|теги|метки|ключевые слова|标签|標籤|关键词|關鍵詞|关键字|關鍵字|"
    r"キーワード|태그|키워드)"
    r"\s*[:：]\s*.{0,300}$"
    r"|^#[^\W\d_][\w-]*(?:[\s,]+#[^\W\d_][\w-]*)+$",
    re.IGNORECASE,
)
_RELATED_WORDS = _alt(
    r"""related|related articles?|related stories|related story|related news|related content|
    related coverage|related links?|related posts?|related reading|related topics|read more|
    read also|also read|more reading|further reading|see also|more on this|more on this story|
    more on this topic|more on that|more stories|more news|more articles|more coverage|
    more from [^:：.!?]{1,40}|recommended|recommended for you|recommended reading|
    recommended stories|recommended articles|you may also like|you might also like|you may like|
    you might like|you may also be interested in|you might be interested in|most read|most popular|
    most viewed|most shared|popular now|popular stories|popular articles|trending|trending now|
    trending stories|latest news|latest stories|latest articles|latest headlines|top stories|
    editors'? picks|editor's picks|don't miss|lesen sie auch|lesen sie mehr|lesen sie dazu|
    lesen sie hier|mehr zum thema|mehr dazu|weitere artikel|weitere nachrichten|auch interessant|
    das könnte sie auch interessieren|das könnte sie interessieren|meistgelesen|
    meistgelesene artikel|à lire aussi|a lire aussi|lire aussi|à voir aussi|voir aussi|
    sur le même sujet|les plus lus|lea también|lee también|te puede interesar|
    noticias relacionadas|leia também|leia mais|veja também|leggi anche|potrebbe interessarti|
    читайте также|по теме|смотрите также|еще по теме|ещё по теме|другие новости|читайте нас в|
    相关阅读|相關閱讀|相关新闻|相關新聞|相关文章|相關文章|相关报道|相關報導|相关链接|相關鏈接|
    相关推荐|推荐阅读|推薦閱讀|延伸阅读|延伸閱讀|热门推荐|熱門推薦|热门文章|熱門文章|热门新闻|
    熱門新聞|热点推荐|猜你喜欢|猜你喜歡|更多新闻|更多精彩|更多阅读|更多报道|精彩推荐|精彩推薦|
    阅读更多|閱讀更多|관련\s?기사|관련\s?뉴스|関連記事|関連ニュース|あわせて読みたい"""
)
_RELATED = re.compile(
    r"^[\[【]?\s*" + _RELATED_WORDS + r"\s*[\]】]?\s*(?:[:：>»›|]\s*(?P<rest>.*)|…|\.\.\.|)$",
    re.IGNORECASE,
)
_AD = re.compile(
    r"""^[\[(【]?\s*(?:
      advertisement|advertising|advert|ad|ads|sponsored|sponsored\s+(?:content|post|links?|stories)|
      promoted(?:\s+(?:content|stories|links))?|partner\s+content|paid\s+content|paid\s+post|
      anzeige|werbung|publicité|publicidad|publicidade|pubblicità|реклама|広告|广告|廣告|推广|推廣|광고|
      (?:the\s+)?(?:story|article)\s+continues\s+(?:below|after\s+(?:the\s+)?(?:ad|advertisement))|
      story\s+continues\s+below(?:\s+(?:this\s+ad|advertisement))?|
      continue\s+reading(?:\s+(?:below|the\s+main\s+story|the\s+article|after\s+the\s+ad))?|
      scroll\s+(?:down\s+)?to\s+continue(?:\s+(?:with\s+content|reading))?|
      skip\s+(?:advertisement|ad)|skip\s+to\s+(?:main\s+)?(?:content|navigation)|
      jump\s+to\s+(?:main\s+)?content|loading(?:\.{1,3}|…)?|please\s+wait(?:\.{1,3}|…)?|
      embedded\s+content|image|photo|video|audio|gallery|play|play\s+video|play\s+audio|
      watch(?:\s+(?:video|now|live))?|listen(?:\s+(?:now|live))?|
      listen\s+to\s+(?:this\s+)?(?:article|story|podcast).{0,40}|
      \d+\s*(?:min|mins|minute|minutes)\.?\s+read|reading\s+time\s*[:：]?\s*\d+\s*\w*|
      lesezeit\s*[:：]?\s*\d+\s*\w*|temps\s+de\s+lecture\s*[:：]?\s*\d+\s*\w*|
      text\s+size|font\s+size|字号\s*[:：]?.{0,12}|打印本页|打印|关闭窗口|關閉窗口|关闭|【\s*打印\s*】|
      enable\s+javascript.{0,60}|javascript\s+(?:is\s+)?(?:disabled|required).{0,60}|
      your\s+browser\s+does\s+not\s+support.{0,80}|click\s+here(?:\s+to\s+[^.]{1,60})?|
      tap\s+here(?:\s+to\s+[^.]{1,60})?|cookies?\s+(?:settings|policy|preferences)|
      accept(?:\s+all)?\s+cookies|privacy\s+policy|terms\s+of\s+(?:use|service)|
      terms\s+(?:and|&)\s+conditions|about\s+us|contact\s+us|menu|search|home|sign\s+in|log\s+in|
      login|register|subscribe(?:\s+(?:now|today))?|back\s+to\s+top|top\s+of\s+page|返回顶部|返回首页
    )\s*[\])】]?$""",
    re.IGNORECASE | re.VERBOSE,
)
_SUBSCRIBE = re.compile(
    r"^(?:sign\s+up|subscribe|follow\s+us|follow\s+(?:the|our)\s+\w+|like\s+us|download\s+(?:the|our)|"
    r"get\s+(?:the|our)\s+(?:app|newsletter|latest)|got\s+a\s+(?:news\s+)?tip|join\s+(?:us|our)|"
    r"abonnieren|jetzt\s+abonnieren|folgen\s+sie\s+uns|s'abonner|abonnez-vous|suivez-nous|"
    r"suscríbete|síguenos|подпишитесь|подписывайтесь|подписаться|присоединяйтесь|"
    r"关注我们|關注我們|扫码关注|掃碼關注|扫描二维码|长按识别|点击关注|欢迎关注|订阅)"
    r"(?=.{0,200}(?:newsletter|app\b|updates|inbox|channel|whatsapp|telegram|facebook|twitter|"
    r"instagram|youtube|tiktok|podcast|alerts|email|notifications|news|tip|рассылк|канал|"
    r"公众号|微信|二维码|订阅|客户端))"
    r".{0,200}$",
    re.IGNORECASE,
)
_COMMENTS = re.compile(
    r"^(?:comments?|\d+\s+comments?|leave\s+a\s+(?:comment|reply)|add\s+(?:a\s+)?comment|"
    r"show\s+comments|view\s+comments|join\s+the\s+(?:conversation|discussion)|kommentare?|"
    r"commentaires?|comentarios?|комментари[иейя]|评论|評論|网友评论|網友評論|댓글|コメント)"
    r"\s*(?:\(\d+\))?\s*[:：]?$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^(?:disclaimer|haftungsausschluss|avertissement|descargo|免责声明|免責聲明|特别声明|特別聲明)"
    r"\s*[:：].{0,400}$"
    r"|^the\s+views\s+(?:and\s+opinions\s+)?expressed\b.{0,300}$"
    r"|^this\s+(?:article|content|story|post)\s+(?:was|is|has\s+been)\s+(?:generated|produced|created|"
    r"provided|written|translated)\s+(?:by|with|from|automatically|using).{0,300}$"
    r"|^本(?:文|网|站)(?:仅代表|不代表|观点|觀點|转载|轉載|所载|所載).{0,200}$",
    re.IGNORECASE,
)
_END = re.compile(
    r"^(?:-{2,}\s*end\s*-{2,}|—+\s*end\s*—+|\(end\)|（完）|\(完\)|完|###|#\s#\s#|-\s?30\s?-|—\s?30\s?—)$",
    re.IGNORECASE,
)

_BULLET = re.compile(r"^(?P<b>(?:[-*•·▪◦‣●■□►▸–—]\s*)+|\d{1,2}[.)]\s+|[a-z][.)]\s+|\(\d{1,2}\)\s+)")


_COPYRIGHT_HINTS = (
    "right",
    "recht",
    "droit",
    "derecho",
    "diritt",
    "direito",
    "прав",
    "版",
    "载",
    "載",
)


def _copyright_words(text: str) -> bool:
    low = text.casefold()
    return any(h in low for h in _COPYRIGHT_HINTS) and _COPYRIGHT_ANY.search(text) is not None


def _sized(text: str) -> bool:
    return 0 < len(text) <= _MAX_CHROME_CHARS


def strip_credits(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without the editor credits and end marks glued into it; what was cut, and why."""
    if not text:
        return text, []
    # Credits are glued to line ends; on a huge line only the ends can hold one.
    if len(text) > 4000:
        head, middle, tail = text[:400], text[400:-400], text[-400:]
        new_head, found_head = strip_credits(head)
        new_tail, found_tail = strip_credits(tail)
        return (new_head + middle + new_tail).strip(), found_head + found_tail
    found = [(m.group(0), "editor credit") for m in _PAREN_CREDIT.finditer(text)]
    if found:
        text = _PAREN_CREDIT.sub(" ", text)
    end = _PAREN_END.search(text)
    if end and end.start() > 0:
        found.append((end.group(0).strip(), "end-of-story mark"))
        text = text[: end.start()]
    return " ".join(text.split()) if found else text, found


def reporter_of(credit: str) -> str | None:
    """The reporter named in a wire credit ("(Reporting by Jane Smith; Editing by …)")."""
    m = _REPORTING_BY.search(credit)
    return m.group(1).strip() if m else None


def _source_name(rest: str) -> tuple[str | None, str | None]:
    url_match = _URL.search(rest)
    url = None
    if url_match:
        raw = url_match.group(0).rstrip(".,;:!?。，；：、")
        url = clean_url(raw if raw.lower().startswith("http") else "https://" + raw)
    name = rest.strip(" \t:：-–—|").strip() or None
    return url, name


def classify(text: str) -> Chrome | None:
    """The chrome a whole line is, wherever it sits on the page, or ``None`` for content."""
    if not _sized(text):
        return None
    if m := _BY_URL.match(text):
        url, _name = _source_name(m["url"])
        if url:
            return Chrome("provenance", "provenance line (source URL)", url=url)
    if m := _SOURCE_LINE.match(text):
        url, name = _source_name(m["rest"])
        if url:
            return Chrome("provenance", "provenance line (source URL)", url=url, name=name)
        if name and len(name.split()) <= 8 and len(name) <= 80 and not name.endswith((".", "。")):
            return Chrome("source", f'source line ("{name}")', name=name)
        if not name:
            return Chrome("source", "source line")
    if _REPUBLISHED.match(text):
        url, _name = _source_name(text)
        return Chrome("provenance", "republication note", url=url)
    if m := _VIA.match(text):
        url, name = _source_name(m["rest"])
        return Chrome(
            "provenance" if url else "source", "provenance line (via)", url=url, name=name
        )
    if m := _NAV.match(text):
        is_next = bool(m["next"] or m["next_cjk"])
        rest = (m["rest"] if m["rest"] is not None else m["rest_cjk"]) or ""
        if len(rest.split()) <= 40 and len(rest) <= 300:
            reason = "next-article link" if is_next else "previous-article link"
            # "Next" alone may be a section of the story; "下一篇" or "Next article:" is a link.
            bare = (
                not rest.strip()
                and not (m["next_cjk"] or m["prev_cjk"])
                and " " not in text.strip()
            )
            return Chrome("nav", reason, name=rest.strip() or None, weak=bare)
    if _LINE_CREDIT.match(text) and len(text.split()) <= 10:
        return Chrome("credit", "editor credit")
    if (_COPYRIGHT_START.match(text) or _copyright_words(text)) and len(text.split()) <= 60:
        return Chrome("copyright", "copyright notice")
    if _TAGS.match(text):
        return Chrome("tags", "tag list")
    if m := _RELATED.match(text):
        rest = (m["rest"] or "").strip()
        if len(rest.split()) <= 30:
            reason = "inline related link" if rest else "related-articles header"
            return Chrome("related", reason, name=rest or None)
    if _SHARE.match(text) or _SOCIAL_ONLY.match(text):
        return Chrome("share", "share buttons")
    if _COMMENTS.match(text):
        return Chrome("comments", "comments widget")
    if _DISCLAIMER.match(text):
        return Chrome("disclaimer", "disclaimer or production note")
    if _END.match(text):
        return Chrome("end", "end-of-story mark")
    if _AD.match(text):
        return Chrome("ad", "advertisement or page widget")
    if len(text.split()) <= 30 and _SUBSCRIBE.match(text):
        return Chrome("subscribe", "newsletter or follow prompt")
    return None


def source_of(text: str) -> tuple[str | None, str | None] | None:
    """(URL, name) of a "Source: …" / "来源：…" line or piece, else ``None``."""
    m = _SOURCE_LINE.match(text)
    return _source_name(m["rest"]) if m else None


def is_widget(text: str) -> bool:
    """An ad, share-button or editor-credit line (which may also sit inside a metadata line)."""
    return bool(_AD.match(text) or _SHARE.match(text) or _LINE_CREDIT.match(text))


def has_url(text: str) -> bool:
    return _URL.search(text) is not None


def is_list_item(text: str) -> bool:
    m = _BULLET.match(text)
    return m is not None and len(text) > len(m.group(0))


def strip_bullet(text: str) -> str:
    m = _BULLET.match(text)
    return text[m.end() :].strip() if m else text


def bullet_style(text: str) -> str:
    """The bullet as a style key ("-·", "1."): lists printed one after another tell apart by it."""
    m = _BULLET.match(text)
    if m is None:
        return ""
    return re.sub(r"\d+", "1", re.sub(r"\s+", "", m.group(0)))
