"""Test builders for newsroom content as CMSs store it: WordPress (block editor and classic, with
shortcodes, captions, entities and ``<!--more-->``), Drupal's ``node__body`` and Joomla's ``jos_content``,
in the tables' real column shapes."""

from __future__ import annotations

import html
from dataclasses import dataclass

import sqlalchemy as sa

from tests.test_archive import SENTENCES

CAPTION = "Toàn cảnh buổi lễ khánh thành. Ảnh: Minh Anh"
QUOTE = "Chúng tôi rất vui mừng"
RESIDUE = ("<", ">", "&#", "&nbsp;", "&amp;", "[caption", "[/caption]", "[embed", "[gallery", "wp:", "{loadposition",
           "youtube", "Ảnh: Minh Anh", "more-->")  # fmt: skip


@dataclass(frozen=True)
class Post:
    id: int
    body: str  # as the CMS stores it
    paragraphs: list[str]  # the article a reader sees


def paragraphs_for(i: int) -> list[str]:
    first = SENTENCES[i % len(SENTENCES)].rstrip(".") + f" (bài {i})."
    second = SENTENCES[(i + 1) % len(SENTENCES)]
    third = SENTENCES[(i + 2) % len(SENTENCES)]
    return [first, f"Ông Nguyễn Văn An nói: “{QUOTE}” & {second}", third]


def block_editor(i: int) -> Post:
    """A Gutenberg post: block comments, an image with its caption, entities, <!--more-->, an embed."""
    first, second, third = paragraphs_for(i)
    stored = html.escape(second, quote=False).replace("“", "&#8220;").replace("”", "&#8221;").replace(" ", "&nbsp;", 1)
    body = f"""<!-- wp:paragraph -->
<p>{html.escape(first)}</p>
<!-- /wp:paragraph -->

<!-- wp:image {{"id":42,"sizeSlug":"large"}} -->
<figure class="wp-block-image size-large"><img src="https://bao.example.vn/wp-content/uploads/2021/12/04/anh.jpg" alt="" class="wp-image-42"/><figcaption>{CAPTION}</figcaption></figure>
<!-- /wp:image -->

<!-- wp:paragraph -->
<p>{stored}</p>
<!-- /wp:paragraph -->

<!--more-->

<!-- wp:embed {{"url":"https://www.youtube.com/watch?v=x{i}","type":"video"}} -->
<figure class="wp-block-embed is-type-video"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=x{i}
</div></figure>
<!-- /wp:embed -->

<!-- wp:paragraph -->
<p><strong>{html.escape(third)}</strong></p>
<!-- /wp:paragraph -->"""  # noqa: E501
    return Post(i, body, [first, second, third])


def classic(i: int) -> Post:
    """A classic-editor post: no <p> (wpautop adds them on display), a [caption] shortcode, a gallery."""
    first, second, third = paragraphs_for(i)
    body = (
        f'[caption id="attachment_{i}" align="aligncenter" width="640"]<img class="size-full wp-image-{i}" '
        f'src="https://bao.example.vn/wp-content/uploads/2022/01/anh-{i}.jpg" alt="" width="640" height="427" /> '
        f"{CAPTION}[/caption]\n\n{html.escape(first)}\n\n{html.escape(second)}\n<!--more-->\n"
        f"[embed]https://www.youtube.com/watch?v=c{i}[/embed]\n\n"
        f'[gallery ids="{i},{i + 1},{i + 2}"]\n\n{html.escape(third)}'
    )
    return Post(i, body, [first, second, third])


def drupal(i: int) -> Post:
    first, second, third = paragraphs_for(i)
    body = (
        f"<p>{html.escape(first)}</p>\r\n"
        f'<drupal-media data-entity-type="media" data-entity-uuid="3f7c-{i}"></drupal-media>\r\n'
        f"<p>{html.escape(second)}</p>\r\n<h2>{html.escape(third)}</h2>"
    )
    return Post(i, body, [first, second, third])


def joomla(i: int) -> Post:
    first, second, third = paragraphs_for(i)
    body = (
        f'<p>{html.escape(first)}</p>\r\n{{loadposition quangcao}}\r\n<hr id="system-readmore" />\r\n'
        f"<p>{html.escape(second)}</p>\r\n<ul><li>{html.escape(third)}</li></ul>"
    )
    return Post(i, body, [first, second, third])


def wordpress_posts(count: int = 12) -> list[Post]:
    return [block_editor(i) if i % 2 else classic(i) for i in range(1, count + 1)]


def create_wordpress(url: str, posts: list[Post], excerpts: dict[int, str]) -> None:
    """``wp_posts`` with WordPress's own columns; published posts, plus a draft and a revision of the first."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS wp_posts"))
        connection.execute(
            sa.text(
                'CREATE TABLE wp_posts ("ID" BIGINT PRIMARY KEY, post_author BIGINT NOT NULL DEFAULT 1, '
                "post_date TIMESTAMP, post_date_gmt TIMESTAMP, post_content TEXT NOT NULL, post_title TEXT NOT NULL, "
                "post_excerpt TEXT NOT NULL DEFAULT '', post_status VARCHAR(20) NOT NULL DEFAULT 'publish', "
                "comment_status VARCHAR(20) NOT NULL DEFAULT 'open', ping_status VARCHAR(20) NOT NULL DEFAULT 'open', "
                "post_password VARCHAR(255) NOT NULL DEFAULT '', post_name VARCHAR(200) NOT NULL DEFAULT '', "
                "to_ping TEXT NOT NULL DEFAULT '', pinged TEXT NOT NULL DEFAULT '', post_modified TIMESTAMP, "
                "post_modified_gmt TIMESTAMP, post_content_filtered TEXT NOT NULL DEFAULT '', "
                "post_parent BIGINT NOT NULL DEFAULT 0, guid VARCHAR(255) NOT NULL DEFAULT '', "
                "menu_order INTEGER NOT NULL DEFAULT 0, post_type VARCHAR(20) NOT NULL DEFAULT 'post', "
                "post_mime_type VARCHAR(100) NOT NULL DEFAULT '', comment_count BIGINT NOT NULL DEFAULT 0)"
            )
        )
        rows = [
            {"id": p.id, "content": p.body, "title": f"Bài {p.id}", "excerpt": excerpts.get(p.id, ""),
             "status": "publish", "type": "post", "parent": 0}
            for p in posts
        ]  # fmt: skip
        rows.append({"id": 900, "content": "<p>Bản nháp</p>", "title": "Nháp", "excerpt": "", "status": "draft",
                     "type": "post", "parent": 0})  # fmt: skip
        rows.append({"id": 901, "content": posts[0].body, "title": "Bài 1", "excerpt": "", "status": "inherit",
                     "type": "revision", "parent": posts[0].id})  # fmt: skip
        connection.execute(
            sa.text(
                'INSERT INTO wp_posts ("ID", post_content, post_title, post_excerpt, post_status, post_type, '
                "post_parent, post_date) VALUES (:id, :content, :title, :excerpt, :status, :type, :parent, "
                "'2024-03-15 08:00:00')"
            ),
            rows,
        )
    engine.dispose()


PUBLISHED = (
    "SELECT \"ID\", post_content FROM wp_posts WHERE post_status = 'publish' AND post_type = 'post' ORDER BY \"ID\""
)


def create_drupal_and_joomla(url: str, count: int = 4) -> tuple[list[Post], list[Post]]:
    drupal_posts = [drupal(i) for i in range(1, count + 1)]
    joomla_posts = [joomla(i) for i in range(1, count + 1)]
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in ("node__body", "jos_content"):
            connection.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        connection.execute(
            sa.text(
                "CREATE TABLE node__body (bundle VARCHAR(128) NOT NULL, deleted SMALLINT NOT NULL DEFAULT 0, "
                "entity_id INTEGER NOT NULL, revision_id INTEGER NOT NULL, langcode VARCHAR(32) NOT NULL, "
                "delta INTEGER NOT NULL DEFAULT 0, body_value TEXT NOT NULL, body_summary TEXT, "
                "body_format VARCHAR(255), PRIMARY KEY (entity_id, deleted, delta, langcode))"
            )
        )
        connection.execute(
            sa.text(
                "INSERT INTO node__body (bundle, entity_id, revision_id, langcode, body_value, body_format) "
                "VALUES ('article', :id, :id, 'vi', :body, 'basic_html')"
            ),
            [{"id": p.id, "body": p.body} for p in drupal_posts],
        )
        connection.execute(
            sa.text(
                "CREATE TABLE jos_content (id INTEGER PRIMARY KEY, asset_id INTEGER NOT NULL DEFAULT 0, "
                "title VARCHAR(255) NOT NULL, alias VARCHAR(400) NOT NULL DEFAULT '', introtext TEXT NOT NULL, "
                '"fulltext" TEXT NOT NULL, state SMALLINT NOT NULL DEFAULT 1, catid INTEGER NOT NULL DEFAULT 0, '
                "created TIMESTAMP, language CHAR(7) NOT NULL DEFAULT '*')"
            )
        )
        connection.execute(
            sa.text(
                'INSERT INTO jos_content (id, title, introtext, "fulltext", created) '
                "VALUES (:id, :title, :body, '', '2024-03-15 08:00:00')"
            ),
            [{"id": p.id, "title": f"Tin {p.id}", "body": p.body} for p in joomla_posts],
        )
    engine.dispose()
    return drupal_posts, joomla_posts
