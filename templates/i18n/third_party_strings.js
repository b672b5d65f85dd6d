/* Never loaded: strings of the Django admin's scripts (the two-box selector of a rule's reviewers and groups, the
   clear link of a date field) that Django 5.2's zh_Hans djangojs catalogue lacks. Listed so `makemessages -d
   djangojs` keeps them in locale/zh_Hans/LC_MESSAGES/djangojs.po, whose translations the admin's jsi18n catalogue
   picks up (LOCALE_PATHS come first). See docs/i18n.md, "Third-party strings". */
"use strict";
var reviewGateThirdPartyStrings = [
  gettext('Choose %s by selecting them and then select the "Choose" arrow button.'),
  gettext("Choose all %s"),
  gettext("Choose selected %s"),
  gettext("Remove selected %s"),
  gettext('Remove %s by selecting them and then select the "Remove" arrow button.'),
  gettext("(click to clear)"),
  gettext("Remove all %s")
];
