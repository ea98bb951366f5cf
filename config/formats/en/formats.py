"""English as a European desk writes it (Django's "en" is American: 12/05/2026 4:32 p.m.).
Customers and staff read day before month and a 24-hour clock, as in German and Spanish;
months by name where a date stands alone."""

DATE_FORMAT = "j M Y"  # 5 Dec 2026
TIME_FORMAT = "H:i"  # 16:32
DATETIME_FORMAT = "j M Y, H:i"  # 5 Dec 2026, 16:32
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 5 December
SHORT_DATE_FORMAT = "d/m/Y"  # 05/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 05/12/2026 16:32
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
