"""What Tasklane's customers write about: the topics of the seeded demo history.

Each topic is one problem or question, told many ways: several subject lines, several
ways to ask, optional details, and the fix support gave. `|` separates alternatives,
`{slot}` is filled per ticket (tasklane_text.SLOTS), an article id starting with `@` is the
article of the value a slot took (`@tool` -> import-from-trello). `weight` is the topic's
share within its category; `agent_rate` the share the AI agent resolves alone; `doc_gap`
topics are the ones the agent resolves with low confidence (the KB only half covers them).
Used by scripts/seed_tasklane.py only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    category: str
    weight: float
    articles: tuple[str, ...]
    tags: tuple[str, ...]
    agent_rate: float
    subjects: tuple[str, ...]
    asks: tuple[str, ...]
    details: tuple[str, ...]
    fixes: tuple[str, ...]
    doc_gap: bool = False


def topic(key: str, category: str, weight: float, articles: str, tags: str, agent_rate: float,
          subjects: str, asks: str, details: str, fixes: str, doc_gap: bool = False) -> Topic:
    def alternatives(text: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in text.split("|") if part.strip())
    return Topic(key, category, weight, tuple(articles.split()), tuple(tags.split()), agent_rate,
                 alternatives(subjects), alternatives(asks), alternatives(details), alternatives(fixes), doc_gap)


BILLING, TECHNICAL, ACCOUNT, FEATURE, BUG = "billing", "technical", "account management", "feature request", "bug report"
CATEGORIES = (BILLING, TECHNICAL, ACCOUNT, FEATURE, BUG)

TOPICS: tuple[Topic, ...] = (
    # ------------------------------------------------------------------ billing
    topic("invoice-download", BILLING, 1.2, "download-invoices", "invoices", 0.86,
          "Invoice for {month}|Where can I download our invoices?|need receipt for {month}|Invoice PDF missing|Copy of last invoice|invoices",
          "Where do I find the invoice for our {month} payment? Finance is asking for it.|I can't find a way to download older invoices, only the latest one shows up.|Our accountant needs every receipt from this year as a PDF. Is there a bulk download?|The invoice link in the payment confirmation opens a blank page.|Could you send me a copy of the invoice for the {amount} charge?",
          "We're on {paidplan}.|I'm the billing contact for our workspace.|Tried in {browser} as well, same thing.|It needs our company name on it.|It's for the {month} expense report.",
          "Pointed to Settings → Billing → Invoices, where every invoice has a PDF link.|Only Owners and billing admins see invoices; the owner downloaded it from Billing → Invoices.")
    ,
    topic("payment-failed", BILLING, 1.0, "failed-payments update-payment-method", "payments", 0.8,
          "Payment failed|card declined?|Why did my payment fail|Payment failure email|subscription payment didn't go through",
          "We got an email saying our payment failed, but the card is fine and has funds.|Our {card} was declined for the monthly charge of {amount}. What happens now?|The renewal keeps failing and I'm worried we'll lose access to our projects.|Payment failed {date}. Will the workspace be locked?",
          "The bank says they didn't block anything.|The card doesn't expire until next year.|There are {seats} people depending on this workspace.|Is there a grace period?",
          "Explained the retry schedule and that access continues meanwhile; they updated the card under Billing.|The issuer required 3-D Secure; the customer approved it in their banking app and the retry went through.")
    ,
    topic("update-card", BILLING, 0.9, "update-payment-method", "payments", 0.88,
          "change credit card|Update payment method|New company card|switch the card on file",
          "How do I change the card we pay with? The old one was cancelled.|We have a new corporate {card}, where do I update it in Tasklane?|I need to replace the payment card before the next invoice.|Can we pay by bank transfer instead of card?",
          "I'm an admin but not the owner.|The Billing page only shows 'Manage plan'.|We have {seats} seats on {paidplan}.|Please make sure we aren't charged twice.",
          "Billing → Payment method → Replace card; only the Owner or a billing admin can change it.|Invoiced billing is Enterprise-only; helped them replace the card under Billing → Payment method.")
    ,
    topic("refund", BILLING, 0.8, "refund-policy", "refunds", 0.45,
          "Refund request|refund please|Charged after cancelling|Refund for unused seats|want a refund",
          "I'd like a refund for last month, we barely used Tasklane.|We were charged {amount} right after I downgraded. Can you refund that?|I forgot to cancel the trial and got charged for {paidplan}. Please refund it.|We paid for a year and the project got cancelled. Is a partial refund possible?",
          "Nobody on the team has logged in since {since}.|A colleague upgraded by mistake.|We're a small nonprofit, the money matters to us.|I already moved us back to Free.",
          "Monthly charges are not refundable; scheduled the downgrade for the end of the period instead.|Refunded the yearly charge under the 14-day policy.")
    ,
    topic("vat-id", BILLING, 0.6, "vat-tax-id", "tax invoices", 0.85,
          "VAT number on invoice|Add tax ID|invoice is missing our VAT ID|reverse charge",
          "Our invoices don't show our VAT number and we need it for the reverse charge in {country}.|How do I add our company tax ID to invoices?|Can you reissue the {month} invoice with our VAT ID on it?|We were charged VAT although we're a registered business in {country}.",
          "The accountant rejected the invoice without it.|We only registered for VAT recently.|Our company address changed too.",
          "Billing → Company details → Tax ID; future invoices show it and the reverse charge applies. Reissued the last invoice.")
    ,
    topic("billing-cycle", BILLING, 0.8, "monthly-vs-yearly-billing", "plans", 0.86,
          "Switch to yearly|annual billing?|Back to monthly billing|yearly discount",
          "How much do we save if we switch to yearly billing?|Can we move from monthly to annual payments in the middle of a cycle?|We're on yearly and want to go back to monthly. Is that possible?|If I switch to annual now, do I lose what I already paid this month?",
          "We have {seats} seats on {paidplan}.|Next year's budget was just approved.|Finance prefers one invoice a year.|Our renewal date is coming up.",
          "Yearly saves about 20%; switch under Billing → Billing cycle, the unused monthly time is credited.|Yearly to monthly takes effect at renewal.")
    ,
    topic("change-plan", BILLING, 1.0, "upgrade-downgrade-plan plans-and-pricing", "plans", 0.85,
          "Downgrade to Free|upgrade to Business|change our plan|What happens if we downgrade?",
          "If we downgrade from {paidplan} to Free, what happens to the projects over the limit?|We want to upgrade to Business for SSO. Are we charged the full month?|How do I downgrade at the end of the billing period instead of right away?|Can I upgrade just a few people to a higher plan?",
          "We have about {n} active projects.|Only {seats} of us really use it.|IT requires SAML single sign-on.|We'd like to keep the timeline view.",
          "Explained proration and the Free limits (3 active projects; the rest become read-only).|Plans apply to the whole workspace; scheduled the downgrade for the renewal date.")
    ,
    topic("pricing", BILLING, 0.9, "plans-and-pricing", "pricing", 0.9,
          "Pricing question|price per seat|Do guests cost money?|Enterprise pricing|which plan do we need",
          "What's the difference between Pro and Business apart from the price?|Do guests count as paid seats?|How much would {seats} seats on Business cost per month?|Is there a discount for nonprofits or schools?|Which plan includes the audit log?",
          "We're comparing a couple of tools.|Most of our users would be external clients.|We'd pay yearly.|Procurement needs a quote by {day}.",
          "Explained per-seat pricing ($10 Pro, $18 Business, monthly) and that guests are free up to the plan's limit.|Shared the plan comparison; the audit log is Enterprise only.")
    ,
    topic("seat-proration", BILLING, 0.7, "manage-seats", "seats invoices", 0.8,
          "Confusing charge after adding seats|prorated charge?|Why was I charged {amount}?|seat charges on invoice",
          "We added {n} seats mid-month and got a charge of {amount} I can't reconcile. How is the proration calculated?|Why do we pay for deactivated members until the end of the cycle?|The {month} invoice has two seat lines, one with an odd amount. What is it?|If I remove a member today and add someone tomorrow, do we pay for both?",
          "We're on yearly {paidplan}.|Finance wants a line-by-line explanation.|We're at {seats} seats now.|The numbers don't match the website's price.",
          "Explained daily proration for added seats and the credit for removed seats on the next invoice.", doc_gap=True)
    ,
    # ------------------------------------------------------------------ technical
    topic("export-csv", TECHNICAL, 1.0, "export-project-csv", "exports", 0.9,
          "Export to CSV|export tasks to excel|CSV export missing columns|how to export a project",
          "How do I export all tasks of a project to a spreadsheet?|The CSV export doesn't include subtasks. Is there an option for that?|I need completed and archived tasks in the export as well.|The link in the export email says it expired. How long are they valid?",
          "It's about {big} tasks.|We want to build a report in Excel.|The project is called '{project}'.|We need it for an audit.",
          "⋯ → Export → CSV with 'All tasks' and 'Include subtasks'; large exports arrive by email and the link is valid for 7 days.")
    ,
    topic("import-csv", TECHNICAL, 0.8, "import-projects-csv", "imports", 0.85,
          "Import from Excel|CSV import fails|moving our spreadsheet into Tasklane|imported dates are wrong",
          "We track everything in a spreadsheet with about {big} rows. How do I bring it into Tasklane?|The CSV import says 'Title column missing' but the column is right there.|After importing, all the due dates are off, day and month swapped.|Can I import assignees from a CSV file?",
          "The file was saved from Excel.|Our dates are written DD/MM/YYYY.|The column names are in German.|I can send the file if that helps.",
          "Save as CSV UTF-8, map the columns and pick the date format in the import preview; Undo import is available for 24 hours.")
    ,
    topic("import-tool", TECHNICAL, 1.0, "@tool", "imports migration", 0.75,
          "Importing from {tool}|{tool} import missing items|moving over from {tool}|{tool} migration stuck",
          "We're moving from {tool} and the importer only shows some of our projects.|The {tool} import has been stuck at {pct}% for hours.|After importing from {tool}, attachments and comments are missing.|How do I map {tool} users to Tasklane members during the import?",
          "It's about {n} projects.|I'm an admin on the {tool} side.|We have to finish the migration by {day}.|Some of the items are years old.",
          "The importer only lists what the connecting user can see; reconnected with an admin account.|Attachments over 100 MB are skipped; explained how to re-run the import for missing items.")
    ,
    topic("slack", TECHNICAL, 0.9, "slack-integration", "integrations slack", 0.85,
          "Slack not posting|Slack integration|connect a Slack channel|Slack updates stopped",
          "Project updates stopped showing up in our Slack channel.|How do I send updates from one project to a private Slack channel?|The /tasklane command in Slack says 'Account not linked'.|Slack gets far too many messages from Tasklane. Can we get a summary instead?",
          "The person who set it up left the company.|It's a private channel.|It worked until recently.|We have {n} projects connected.",
          "Reconnected under Settings → Integrations → Slack and invited the bot to the private channel.|Explained event filters and the daily summary.")
    ,
    topic("github", TECHNICAL, 0.5, "github-integration", "integrations github", 0.85,
          "GitHub PRs not linking|GitHub integration|link commits to tasks",
          "Pull requests don't show up on the task even though the branch name has the task ID.|How do I link GitHub commits to Tasklane tasks?|The GitHub integration stopped moving tasks to Done when PRs are merged.|Can we connect a GitHub Enterprise Server?",
          "We put the task key in branch names.|It's a private repository in our organisation.|We have {n} repositories connected.|Nothing changed on our side.",
          "The task key must be in the PR title or branch, and the GitHub app needs access to the repository.")
    ,
    topic("api-rate-limit", TECHNICAL, 0.7, "api-rate-limits", "api", 0.75,
          "API 429 errors|rate limit too low|Too Many Requests from the API|API throttling",
          "Our sync script keeps getting 429 Too Many Requests from the API.|What are the API rate limits on {paidplan}?|We hit the rate limit during our nightly import of {big} tasks. Can it be raised?|The Retry-After header says {n} seconds. Is that expected?",
          "We call the tasks endpoint in a loop.|It's a server-to-server integration.|It started after we added more projects.|We use one token for everything.",
          "Explained per-token limits, Retry-After and pagination; Business has higher limits.|Suggested batching and webhooks instead of polling.")
    ,
    topic("api-token", TECHNICAL, 0.7, "api-tokens api-errors", "api", 0.8,
          "API returns {code}|API token not working|create an API token|API auth error",
          "Every API call returns {code} even with a fresh token.|Where do I create a personal API token?|Our API token stopped working after a colleague left.|Does a token have the same permissions as my user?",
          "We send it as an Authorization: Bearer header.|It's called from a Python script.|The token was created by our previous admin.|It worked yesterday.",
          "Tokens belong to the user who created them and stop working when that user is deactivated; created a new one under Profile → API tokens.")
    ,
    topic("webhooks", TECHNICAL, 0.5, "webhooks", "api webhooks", 0.8,
          "Webhooks not firing|webhook signature|missing webhook events",
          "Our webhook endpoint stopped receiving task.updated events.|How do I verify the webhook signature?|Webhooks get disabled after a few failures. How do I turn them back on?|Are webhook events delivered in order?",
          "Our endpoint returned errors for a while last night.|We're on {paidplan}.|The endpoint is a serverless function.",
          "Webhooks pause after repeated failures; re-enabled under Settings → Webhooks and explained the HMAC signature check.")
    ,
    topic("google-drive", TECHNICAL, 0.4, "google-drive-integration", "integrations", 0.85,
          "Google Drive files|attach from Drive|Drive permission error",
          "How do I attach a Google Drive file to a task?|Teammates get 'request access' when opening Drive files attached to tasks.|The Drive file picker doesn't load in {browser}.|Can I attach a whole Drive folder to a task?",
          "We use shared drives.|It's a Google Workspace account.",
          "Drive files keep their Drive permissions, so share them in Drive; the picker needs third-party cookies allowed.")
    ,
    topic("recurring", TECHNICAL, 0.6, "recurring-tasks", "tasks", 0.85,
          "Recurring tasks|repeat a task every month|recurring task not created",
          "How do I make a task repeat on the first Monday of every month?|The next occurrence of our weekly task wasn't created.|Can recurring tasks keep the same assignee and checklist?|How do I stop a task from repeating?",
          "It's our weekly status report task.|We're on {paidplan}.",
          "Repeat needs a due date; with 'when completed' the next task appears after completion. Repeat is on Pro and above.")
    ,
    topic("notifications", TECHNICAL, 0.8, "notification-settings", "notifications", 0.88,
          "Too many emails|notification settings|email digest|stop the notifications",
          "I get an email for every single comment. How do I turn that off?|Can I get a daily digest instead of instant emails?|I'm not getting any notifications for tasks assigned to me.|How do I mute a project I'm only following?",
          "My inbox is flooded.|I'm in {n} projects.",
          "Profile → Notifications: chose the daily digest and muted the project.")
    ,
    topic("mobile-sync", TECHNICAL, 0.5, "mobile-app", "mobile", 0.8,
          "mobile push notifications|app not syncing|notifications on my phone",
          "Push notifications on my {phone} never arrive.|The mobile app doesn't show changes I made on the desktop.|How do I sign in to the mobile app with SSO?|Can I use the phone app without a connection?",
          "I reinstalled it already.|Battery saver is on.",
          "Allow notifications and choose Push in Profile → Notifications; for SSO enter the workspace URL, not the email domain.")
    ,
    topic("gantt", TECHNICAL, 0.7, "gantt-timeline task-dependencies", "timeline", 0.85,
          "where is the gantt chart|timeline view|dependencies on the timeline|milestones",
          "I can't find the Gantt chart in my project.|How do I add a dependency between two tasks on the timeline?|Tasks without dates don't show on the timeline. How do I schedule them?|Can the timeline skip weekends?",
          "We're planning {project}.|Our plan is {plan}.",
          "The timeline is on Pro and above (View → Timeline); unscheduled tasks wait in the side panel; Skip weekends is in Timeline settings.")
    ,
    topic("custom-field-reports", TECHNICAL, 0.6, "custom-fields-in-reports", "reports custom-fields", 0.75,
          "formula in a custom field|report totals|sum a custom field in a report",
          "Can a report sum a number custom field across subtasks?|How do I build a report grouped by a dropdown custom field with totals per group?|Is there a way to calculate a field from two others, like budget minus spent?|Our report shows blanks for a custom field that definitely has values.",
          "We're on {paidplan}.|The field is defined in one project only.",
          "Explained custom fields in reports and grouping; formulas are not supported, suggested exporting the data.", doc_gap=True)
    ,
    topic("workload-capacity", TECHNICAL, 0.7, "workload-view-preview", "workload", 0.75,
          "Workload view capacity|set hours per person|workload shows the wrong capacity",
          "Where do I set how many hours a week each person can work in the Workload view?|The Workload view counts tasks. Can it use estimated hours instead?|Part-time colleagues show as overloaded in Workload. How do I fix their capacity?|Does the Workload view take holidays into account?",
          "{n} people on the team work part-time.|We joined the preview program last month.",
          "Pointed to Capacity settings in the Workload view; holidays are not supported yet.", doc_gap=True)
    ,
    topic("zapier", TECHNICAL, 0.7, "zapier-integration", "integrations zapier", 0.75,
          "Zapier trigger on a custom field|zap with a filter|Zapier multi-step zap",
          "Can a Zapier trigger fire only when a specific custom field changes?|Our zap creates a task but can't choose the section. Is there a way?|How do I use the Tasklane search step in a multi-step zap?|The 'Task completed' trigger fires twice for subtasks.",
          "We connect it to our CRM.|The zap runs {n} times a day.",
          "Suggested a Zapier filter step after the 'Task updated' trigger.", doc_gap=True)
    ,
    topic("storage", TECHNICAL, 0.4, "storage-attachment-limits", "storage", 0.9,
          "Storage limit reached|file too large|attachment size limit",
          "We got a warning that we've used {pct}% of our storage.|Uploading a {n} MB video fails.|What's the maximum attachment size on {paidplan}?|Do deleted files still count towards our storage?",
          "Mostly design files.|We're on {plan}.",
          "Explained the per-plan storage limits and that trashed files count until the trash is emptied.")
    ,
    # ------------------------------------------------------------------ account management
    topic("reset-password", ACCOUNT, 1.0, "reset-password", "login", 0.9,
          "can't log in|password reset email not arriving|forgot my password|reset link expired",
          "I forgot my password and the reset email never arrives.|The password reset link says it expired, and I clicked it right away.|How do I reset the password for someone on my team?|I'm locked out after too many attempts.",
          "I checked spam.|Our mail server filters strictly.|It's my work email.|I need access before a meeting at {time}.",
          "Reset links last one hour; allow-listed the sender and sent a new link.|Admins can send a reset link from Members.")
    ,
    topic("2fa-lost", ACCOUNT, 0.6, "2fa-lost-device", "2fa login", 0.35,
          "lost my phone, 2FA|locked out by two-factor|new phone and authenticator|backup codes",
          "I got a new phone and my authenticator codes are gone, so now I can't log in.|I lost my phone and don't have the backup codes. How do I get back in?|One of our members lost their 2FA device. Can an admin reset it?|My authenticator codes are rejected every time.",
          "It's urgent, all my projects are in there.|I'm the workspace owner.",
          "Verified ownership and reset 2FA; advised saving backup codes.|Codes were rejected because the phone clock was off; fixed by syncing time.")
    ,
    topic("2fa-setup", ACCOUNT, 0.5, "two-factor-authentication", "2fa security", 0.9,
          "enable 2FA|enforce two-factor for the team|2FA setup",
          "How do I turn on two-factor authentication?|Can I require 2FA for everyone in our workspace?|Which authenticator apps do you support?|Can I get codes by SMS instead of an app?",
          "Our security team asked for it.|We have {seats} members.",
          "Profile → Security → Enable; admins can require 2FA under Settings → Security. Authenticator apps only, no SMS.")
    ,
    topic("change-email", ACCOUNT, 0.6, "change-account-email", "account", 0.88,
          "change my email|update login email|company domain changed",
          "Our company changed its domain. How do we update everyone's login email?|I want to change the email on my account to my new work address.|The confirmation email for the address change never arrives.|Can I merge two accounts that use different emails?",
          "The old domain stops working at the end of the month.|We're about {seats} people.",
          "Profile → Account → Email; the change is confirmed from the new address. Accounts can't be merged.")
    ,
    topic("seats", ACCOUNT, 0.9, "manage-seats", "seats members", 0.88,
          "add seats|remove a user|deactivate a member|invite new team members",
          "How do I add {n} more people to our workspace?|I removed someone but we're still paying for their seat.|How do I deactivate a member who left without losing their tasks?|We hit the member limit on the Free plan.",
          "New hires start on {day}.|We're on {plan}.",
          "Members → Invite or Deactivate; deactivated members stop using a seat and their tasks stay.")
    ,
    topic("roles", ACCOUNT, 0.8, "roles-and-permissions", "permissions", 0.85,
          "permissions|make someone an admin|restrict project access|member can't edit",
          "How do I make a colleague an admin?|Can I stop members from deleting projects?|A member says they can't edit tasks in a project they can see.|What's the difference between the Admin and Member roles?",
          "We're {seats} people.|The project is '{project}'.",
          "Explained the roles and project-level permissions; the member had view-only access on that project.")
    ,
    topic("transfer-ownership", ACCOUNT, 0.4, "transfer-workspace-ownership", "ownership", 0.7,
          "transfer ownership|owner left the company|change the workspace owner",
          "Our workspace owner left the company. How do we transfer ownership?|I want to hand ownership over to a colleague before I leave.|The owner's account is deactivated and nobody can change billing anymore.",
          "I'm an admin.|We need billing access for the renewal.",
          "The owner transfers it under Settings → Workspace; when the owner is gone we verify the company and transfer it.")
    ,
    topic("delete-account", ACCOUNT, 0.5, "delete-account gdpr-data-request", "privacy", 0.7,
          "delete my account|close our workspace|GDPR data request|remove my data",
          "Please delete my account and all my data.|How do I close our workspace completely?|I'd like a copy of all personal data you hold about me.|If I delete my account, what happens to tasks I created in shared projects?",
          "I don't use Tasklane anymore.|We moved to another tool.",
          "Explained deletion from Profile → Account and the 30-day window; started a GDPR export.")
    ,
    topic("sso", ACCOUNT, 0.8, "@idp sso-troubleshooting", "sso security", 0.6,
          "SSO login error|set up SAML with {idp}|SSO sign-in failed|SAML certificate",
          "Users get 'SSO sign-in failed' since we rotated the SAML certificate in {idp}.|How do we set up SAML SSO with {idp}?|New employees can't sign in through SSO, existing ones can.|Can we enforce SSO and still let guests log in with a password?",
          "We're on {paidplan}.|About {seats} users are affected.|Our IT admin configured it.",
          "Uploaded the new IdP certificate under Settings → Security → SSO.|New users must be assigned to the Tasklane app in the IdP.")
    ,
    topic("guest-access", ACCOUNT, 0.8, "invite-guests roles-and-permissions", "guests permissions", 0.8,
          "guest permissions|limit what guests see|guest access to one task",
          "Can I invite a client as a guest to just one task, not the whole project?|Can guests see comments from our internal team?|Is it possible to let a guest edit tasks but not delete them?|Do guests get notified about tasks they're mentioned in?",
          "The client is external.|We have {n} guests right now.",
          "Explained guest access per project; task-level sharing is not available.", doc_gap=True)
    ,
    # ------------------------------------------------------------------ feature requests
    topic("teams-integration", FEATURE, 1.0, "", "integrations", 0.8,
          "Microsoft Teams integration?|MS Teams|Teams instead of Slack",
          "Do you have an integration with Microsoft Teams, like the Slack one?|We don't use Slack. Any plans for Teams notifications?|Please add a Teams app so we can create tasks from chats.",
          "Our whole company is on Microsoft 365.|We have {seats} people waiting for it.",
          "No native Teams integration yet; suggested a Zapier zap and logged the request.")
    ,
    topic("calendar-feed", FEATURE, 0.9, "", "calendar", 0.8,
          "Outlook calendar|calendar sync|due dates in Google Calendar",
          "Can Tasklane put our due dates into Outlook?|Is there an iCal feed of my tasks?|We'd love two-way sync between tasks and Google Calendar.",
          "People miss deadlines because they never open Tasklane.|We plan everything in our calendars.",
          "No calendar feed yet; logged the request and suggested a Zapier workaround.")
    ,
    topic("dark-mode", FEATURE, 0.8, "", "ui", 0.85,
          "Dark mode please|dark theme|night mode",
          "Is there a dark mode? My eyes hurt after a day in Tasklane.|Please add a dark theme to the web app.|The mobile app has dark mode but the web app doesn't. When is it coming?",
          "Most of our developers asked for it.|It would really help late in the evening.",
          "Dark mode for the web app is on the roadmap; logged the vote.")
    ,
    topic("time-tracking", FEATURE, 0.9, "", "time-tracking", 0.8,
          "time tracking|log hours on tasks|timesheets",
          "Can we log hours on tasks directly in Tasklane?|We need timesheets per project for client billing.|Please add a timer to tasks so we can track how long work takes.",
          "Right now we use a separate tool.|We bill clients by the hour.",
          "No built-in time tracking; pointed to estimates and logged the request.")
    ,
    topic("custom-roles", FEATURE, 0.7, "roles-and-permissions", "permissions", 0.8,
          "custom roles|more granular permissions|read-only role",
          "We need a role between Member and Admin that can manage projects but not billing.|Could you add custom roles with our own permissions?|Please add a read-only member role for auditors.",
          "Compliance asked for it.|We're {seats} people.",
          "Explained current roles; logged the custom-roles request.")
    ,
    topic("offline-desktop", FEATURE, 0.5, "offline-mode-beta", "offline", 0.8,
          "offline mode on desktop|work without internet|offline access",
          "Will offline mode come to the desktop app?|I travel a lot. Can I work on tasks on a plane?|Offline mode beta only works on mobile. Any plans for the web?",
          "I'm on flights every week.",
          "Offline mode is a mobile beta; logged the request for desktop.")
    ,
    topic("ai-summary-languages", FEATURE, 0.5, "ai-task-summaries", "ai", 0.8,
          "AI summaries in {lang}|summary language|translate summaries",
          "Can the AI summaries be written in {lang}?|Our team works in {lang}, but summaries always come out in English.|Please let us choose the language of task summaries.",
          "Half the team doesn't read English well.",
          "Summaries are English-only for now; logged the language request.")
    ,
    topic("bulk-edit", FEATURE, 0.7, "", "tasks", 0.8,
          "bulk edit tasks|change many tasks at once|bulk move",
          "Can I change the assignee of {n} tasks at once?|We need bulk edit for due dates after a project slips.|Please let us move many tasks between projects in one go.",
          "Doing it one by one takes forever.",
          "Explained multi-select in the list view for status and assignee; logged the rest.")
    ,
    # ------------------------------------------------------------------ bug reports
    topic("login-loop", BUG, 0.9, "login-loop-cookies", "login", 0.75,
          "login keeps looping|session expired message|stuck on the login page",
          "Every time I log in the page flashes and sends me back to the login screen.|I keep getting 'session expired' right after signing in.|Logging in works in incognito but not in my normal {browser} window.",
          "{browser} on {os}.|It worked fine last week.|My coworker can log in fine.",
          "The browser blocked the session cookie; allowed cookies for the Tasklane domain and cleared site data.")
    ,
    topic("slow-boards", BUG, 1.0, "", "performance", 0.25,
          "Tasklane very slow|boards take forever to load|performance issues",
          "Our boards take more than {n} seconds to load.|Everything in Tasklane has been very slow for the whole team.|Opening a task takes ages and sometimes times out.",
          "The project has about {big} tasks.|We're in {country}.|Other sites load fine.",
          "Escalated to engineering with HAR files; a slow query on large boards was fixed.")
    ,
    topic("notification-delay", BUG, 0.8, "notification-settings", "notifications", 0.3,
          "notifications arrive late|emails delayed|no email notifications",
          "Email notifications arrive hours after the change happened.|Nobody on our team has received notification emails since {since}.|Mentions in comments don't trigger any notification anymore.",
          "It's affecting {n} people.|We checked the spam folder.",
          "A mail provider was throttling our sends; delivery recovered.")
    ,
    topic("mobile-crash", BUG, 0.7, "mobile-app", "mobile", 0.5,
          "app crashes|mobile app crash on launch|app closes immediately",
          "The app crashes as soon as I open it on my {phone}.|The mobile app closes every time I open a task with attachments.|Since the last app update it freezes on the loading screen.",
          "I reinstalled it twice.|Latest app version.",
          "Updating and reinstalling fixed it; data is stored in the cloud.|Crash with large attachments confirmed and fixed in the next app release.")
    ,
    topic("drag-drop", BUG, 0.7, "", "boards", 0.3,
          "can't drag cards|drag and drop broken|board cards won't move",
          "I can't drag cards between columns on the board anymore in {browser}.|Dragging a task to another section just snaps it back.|Drag and drop on the board stopped working for our team.",
          "{browser} on {os}.|Other views work fine.|We tried clearing the cache.",
          "A browser extension interfered with drag and drop; disabling it fixed the board.")
    ,
    topic("upload-fails", BUG, 0.6, "storage-attachment-limits", "attachments", 0.35,
          "upload failed|can't attach files|attachment error",
          "Uploading attachments fails with 'Something went wrong'.|Files get stuck at {pct}% when I attach them to a task.|I can't attach PDFs to tasks anymore.",
          "The files are small, under {n} MB.|It happens in {browser}.",
          "A proxy blocked the upload domain; allow-listed it.")
    ,
    topic("duplicate-invoice-emails", BUG, 0.5, "", "billing invoices", 0.5,
          "duplicate invoice emails|got the invoice twice|charged twice?",
          "We received the same invoice email twice this month. Were we charged twice?|I got three copies of the invoice email for {month}.|Our finance inbox got duplicate receipts for the same payment.",
          "The amount was {amount}.|The card statement shows one charge.",
          "Known issue with duplicate invoice emails; only one charge was made.")
    ,
    topic("search-broken", BUG, 0.7, "", "search", 0.25,
          "search doesn't find tasks|search results missing|search broken",
          "Search doesn't find tasks I created today.|Searching for an exact task name returns nothing.|Search results are missing tasks from archived projects.",
          "The task is in '{project}'.|It worked last week.",
          "Search index delay confirmed and fixed by engineering.")
    ,
    topic("outage", BUG, 0.4, "status-page-outages", "outage", 0.6,
          "Tasklane down?|502 errors|site not loading|is Tasklane down",
          "Is Tasklane down? Nothing loads for me.|I'm getting 502 Bad Gateway errors on every page.|The app won't load at all, just a spinning wheel.",
          "The whole team is affected.|Checked from two networks.",
          "No incident at the time; the customer's network blocked our CDN.|Confirmed a short incident on the status page; service is restored.")
    ,
    topic("ai-summary-wrong", BUG, 0.5, "ai-task-summaries", "ai", 0.3,
          "AI summary wrong|summary mixes up tasks|AI summary error",
          "The AI summary of a long thread mentions decisions that were never made.|Task summaries mix up comments from another task.|The 'Summarize' button returns an error on tasks with many comments.",
          "The thread has about {n} comments.",
          "Escalated the mix-up to the AI team; regenerated the summary.")
    ,
)

EMERGING = topic(
    "timeline-pdf-cropped", BUG, 0.0, "export-project-pdf", "exports timeline pdf", 0.0,
    "Timeline PDF export cut off since the update|Gantt export to PDF is cropped|exported timeline missing the last weeks|4.2 broke the timeline PDF export|timeline PDF only shows the first page|PDF of our gantt chart is cut off|Timeline export incomplete",
    "Since the update this week, when I export the timeline to PDF the chart is cropped after {few} weeks and everything to the right is missing.|The Gantt export to PDF cuts off the right side of the timeline, landscape or not. It worked fine last week.|Exporting our project timeline as a PDF now only renders the first page; later milestones and the dependency arrows are gone.|After the 4.2 release our timeline PDFs come out cropped. We tried A4 and Letter, landscape and quarter zoom, same result.|The PDF export of the timeline stops at the edge of the first page since {weekday}. The rest of the chart never makes it into the file.|Our timeline export to PDF is truncated: only the first {few} weeks of a {months}-month plan end up in the file.",
    "{n} of our milestones are missing from the file.|We send these PDFs to clients every week.|Tried {browser} and {browser2}, same result.|The project has about {hundreds} tasks, well under the 500 limit.|The preview on screen looks fine; only the downloaded PDF is wrong.|Switching to landscape, as your help article says, doesn't change anything.",
    "Escalated to engineering: the new timeline renderer crops PDF exports to the first page (bug TL-4821). Workaround: export month by month at week zoom.|Confirmed the 4.2 timeline PDF bug; shared the month-by-month export workaround and linked the ticket to TL-4821.",
)
"""The planted release-correlated issue: v4.2.0's new timeline renderer crops PDF exports."""
