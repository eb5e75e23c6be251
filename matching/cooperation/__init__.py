"""The cooperation cycle's rules, from the site's answer to the onward path.

Pure functions over the records of ``models.cooperation`` (confirmation, start meeting,
agreement, period, end, start notice, feedback), ``models.attendance`` (day records) and
``models.benefits`` (the allowance and Kela's absence categories as data); no database and no
web framework: the service calls them.

* ``calendar`` – Finnish public holidays (service not arranged);
* ``attendance`` – day records against the agreement, in an ordered rule registry; ``record_day``;
* ``money`` – the monthly summary, the absence report to the payer, figures per municipality;
* ``periods`` – declined pairs, agreement status, start, extension, end, alerts, notices due;
* ``outcomes`` – onward paths and feedback by group, small counts suppressed;
* ``export`` / ``report`` – Finnish Excel dialect CSV and XLSX; the month's report in one call;
* ``texts`` / ``printable`` – the words (fi, sv, en) and the printable agreement;
* ``sample_attendance`` – seeded synthetic periods and attendance for the sample county.
"""
