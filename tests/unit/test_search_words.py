"""What a search reads of a person's words, and how a snippet is shown: nothing becomes syntax or markup."""

from __future__ import annotations

from app.search.engine import START, STOP, WORDS_MAX, words_of
from app.search.routes import marked


def test_only_words_are_searched_for_at_most_twelve():
    assert words_of('anti-social "behaviour" OR NOT (estates)*') == ["anti", "social", "behaviour", "OR", "NOT",
                                                                    "estates"]
    assert words_of("\u00e9t\u00e9 caf\u00e9") == ["\u00e9t\u00e9", "caf\u00e9"]
    assert len(words_of(" ".join(f"w{n}" for n in range(40)))) == WORDS_MAX
    assert words_of("'; -- * ^") == []


def test_a_snippet_is_escaped_and_only_its_markers_become_marks():
    shown = str(marked(f'<script>alert("x")</script> {START}warden{STOP} & <b>rota</b>'))
    assert shown == ('&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; <mark>warden</mark> &amp; '
                     '&lt;b&gt;rota&lt;/b&gt;')
