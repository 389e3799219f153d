"""The occupancy calendar's weeks as table rows.

A property's calendar is 84 cells a bedspace, each with a date, a state, a link and hidden text;
through template tags and filters each cell cost about half a millisecond, so the rows are built
here: month names, state labels and placement links are escaped once per calendar, and each cell
is put together from those and the day's number.
"""

from django import template
from django.utils.dates import MONTHS
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from iom_housing.dates import day_month_short
from placements.selectors import DAY_STATES, BedspaceCalendar

register = template.Library()


@register.simple_tag
def calendar_rows(calendar: BedspaceCalendar, today) -> SafeString:
    """The `<tr>` of each week: its first day as the row header, then a cell a day."""
    months = {number: escape(name) for number, name in MONTHS.items()}
    labels = {state: escape(label) for state, (label, _code) in DAY_STATES.items()}
    codes = {
        state: f'<span aria-hidden="true"> {escape(code)}</span>' if code else ""
        for state, (_label, code) in DAY_STATES.items()
    }
    # The planned move-out day (the move-on plan's): a letter, and its words for a screen reader.
    move_out_mark = f'<span aria-hidden="true"> M</span><span class="govuk-visually-hidden">, {escape(_("planned move-out"))}</span>'
    links: dict[int, str] = {}
    rows = []
    for week in calendar.weeks:
        cells = []
        for day in week:
            link = end = ""
            if day.placement is not None:
                if day.placement.pk not in links:
                    links[day.placement.pk] = format_html(
                        '<a class="govuk-link" href="{}">', day.placement.get_absolute_url()
                    )
                link, end = links[day.placement.pk], "</a>"
            today_class = " app-calendar__day--today" if day.date == today else ""
            move_out = move_out_mark if day.move_out else ""
            number, month = day.date.day, months[day.date.month]
            cells.append(
                f'<td class="govuk-table__cell app-calendar__day app-calendar__day--{day.state}{today_class}"'
                f' title="{number} {month}">{link}{number}<span class="govuk-visually-hidden"> {month}:'
                f" {labels[day.state]}</span>{codes[day.state]}{move_out}{end}</td>"
            )
        rows.append(
            '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header govuk-!-font-size-16">'
            f"{escape(day_month_short(week[0].date))}</th>{''.join(cells)}</tr>"
        )
    return SafeString("\n".join(rows))
