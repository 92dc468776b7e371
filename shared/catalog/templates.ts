import type { EmailTemplateInput } from '../domain/email-template.ts';

/**
 * Email templates (Liquid; HTML output is escaped by default). Variables:
 * `first_name` (string or nil), `cart` ({ value, currency, items[], item_count } or nil),
 * `event` (the triggering event's properties), `brand` ({ name }), `unsubscribe_url` and
 * `preferences_url` (signed links; for service mail `unsubscribe_url` leads to the preferences).
 *
 * Rendering is strict, so an optional event property is only used inside `{% if event.x %}` (or
 * through `| default:`); a missing one then takes the fallback instead of failing the send. Each
 * template's comment says which event its rule hands it. Calls to action are words for now: links
 * and the unsubscribe footer come with tracked links.
 */
const ruleTemplates: EmailTemplateInput[] = [
  {
    id: 'welcome',
    subject: 'Welcome to {{ brand.name }}, {{ first_name | default: "friend" }}!',
    preheader: 'Here is what to expect from us.',
    html: `<h1>Welcome, {{ first_name | default: "friend" }}!</h1>
<p>Thanks for subscribing to {{ brand.name }}. We will only write when we have something worth your time:
new arrivals, useful guides and the occasional offer.</p>
<p>See you soon,<br>The {{ brand.name }} team</p>`,
    text: `Welcome, {{ first_name | default: "friend" }}!

Thanks for subscribing to {{ brand.name }}. We will only write when we have something worth your time:
new arrivals, useful guides and the occasional offer.

See you soon,
The {{ brand.name }} team`,
  },
  {
    id: 'cart_reminder',
    requires: ['cart'],
    subject:
      '{{ first_name | default: "Hi" }}, {% if cart.item_count > 0 %}you left {{ cart.item_count }} item{% if cart.item_count != 1 %}s{% endif %} in your cart{% else %}your cart is still waiting{% endif %}',
    preheader: 'Your cart is saved: {{ cart.value | money: cart.currency }}.',
    html: `<h1>Still thinking it over, {{ first_name | default: "friend" }}?</h1>
<p>Your cart is waiting for you:</p>
<table>
{%- for item in cart.items %}
  <tr><td>{{ item.name | default: item.productId }}</td><td>&times; {{ item.quantity }}</td><td>{{ item.price | money: cart.currency }}</td></tr>
{%- endfor %}
</table>
{%- if cart.item_count > cart.items.size %}
<p>…and {{ cart.item_count | minus: cart.items.size }} more.</p>
{%- endif %}
<p><strong>Total: {{ cart.value | money: cart.currency }}</strong></p>`,
    text: `Still thinking it over, {{ first_name | default: "friend" }}?

Your cart is waiting for you:
{% for item in cart.items %}- {{ item.name | default: item.productId }} x {{ item.quantity }}: {{ item.price | money: cart.currency }}
{% endfor %}{% if cart.item_count > cart.items.size %}...and {{ cart.item_count | minus: cart.items.size }} more.
{% endif %}
Total: {{ cart.value | money: cart.currency }}`,
  },
  // churn_prevention_high_risk: event = a ChurnRiskChanged detail. Its numbers (probability, model)
  // are internal and never appear in the email, nor does any hint that we predicted anything.
  {
    id: 'churn_prevention',
    subject: '{{ first_name | default: "Hi" }}, we have missed you at {{ brand.name }}',
    preheader: 'A quick hello from all of us, and a few new things we think you will like.',
    html: `<h1>We have missed you</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>It has been a little while since your last visit to {{ brand.name }}, and we wanted to say hello.
You are one of our favourite customers, and the shop has not felt quite the same without you.</p>
<p>Since you were last here we have added new arrivals and brought back a few old favourites,
so there is plenty waiting for you.</p>
<p><strong>Drop by {{ brand.name }} this week and see what is new. We would love to see you again.</strong></p>
<p>Warm wishes,<br>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

It has been a little while since your last visit to {{ brand.name }}, and we wanted to say hello.
You are one of our favourite customers, and the shop has not felt quite the same without you.

Since you were last here we have added new arrivals and brought back a few old favourites,
so there is plenty waiting for you.

Drop by {{ brand.name }} this week and see what is new. We would love to see you again.

Warm wishes,
The {{ brand.name }} team`,
  },
  // browse_abandonment: event = the product_view's properties: productId always; name, category,
  // price and currency may be absent. The product id alone is not shown (it means nothing to people).
  {
    id: 'browse_reminder',
    subject:
      '{{ first_name | default: "Hi" }}, {% if event.name %}still thinking about {{ event.name | truncate: 60 }}?{% else %}did something catch your eye?{% endif %}',
    preheader: '{% if event.name %}{{ event.name }} is just a click away.{% else %}The things you looked at are just a click away.{% endif %}',
    html: `{% assign currency = event.currency | default: "" -%}
<h1>{% if event.name %}Still thinking about {{ event.name }}?{% else %}Did something catch your eye?{% endif %}</h1>
<p>Hi {{ first_name | default: "there" }},</p>
{%- if event.name %}
<p>You were recently looking at <strong>{{ event.name }}</strong>{% if event.price > 0 %} ({{ event.price | money: currency }}){% endif %}
at {{ brand.name }}. If it is still on your mind, now is a good time to take a closer look.</p>
{%- else %}
<p>You were recently browsing at {{ brand.name }}. If something caught your eye, now is a good time to take a closer look.</p>
{%- endif %}
{%- if event.category %}
<p>There is more to discover in our {{ event.category }} range, too.</p>
{%- endif %}
<p><strong>Head back to {{ brand.name }} to pick up where you left off.</strong></p>
<p>Happy browsing,<br>The {{ brand.name }} team</p>`,
    text: `{% assign currency = event.currency | default: "" -%}
Hi {{ first_name | default: "there" }},

{% if event.name -%}
You were recently looking at {{ event.name }}{% if event.price > 0 %} ({{ event.price | money: currency }}){% endif %}
at {{ brand.name }}. If it is still on your mind, now is a good time to take a closer look.
{%- else -%}
You were recently browsing at {{ brand.name }}. If something caught your eye, now is a good time to take a closer look.
{%- endif %}
{% if event.category %}
There is more to discover in our {{ event.category }} range, too.
{% endif %}
Head back to {{ brand.name }} to pick up where you left off.

Happy browsing,
The {{ brand.name }} team`,
  },
  // post_purchase_follow_up (three days after the purchase): event = the purchase's properties:
  // orderId, amount, maybe currency and items.
  {
    id: 'post_purchase',
    subject: '{{ first_name | default: "Hi" }}, how are you getting on with your order?',
    preheader: 'A few tips to get the most out of your purchase from {{ brand.name }}.',
    html: `<h1>How is everything going?</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>It has been a few days since you ordered from {{ brand.name }}, and we hope you are enjoying
{% if event.items.first.name %}your {{ event.items.first.name }}{% if event.items.size > 1 %} and the rest of your order{% endif %}{% else %}your purchase{% endif %}.</p>
<p>A few tips to get the most out of it:</p>
<ul>
  <li>Take a minute for any care or setup notes that came with it: they help things last.</li>
  <li>{% if event.orderId %}Keep your order number, {{ event.orderId }}, handy{% else %}Keep your order confirmation handy{% endif %} in case you ever need a hand with it.</li>
  <li>If anything is not quite right, our support team is happy to help.</li>
</ul>
<p><strong>Loving it? Leave a review at {{ brand.name }}: it helps other shoppers and makes our day.</strong></p>
<p>Thanks again,<br>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

It has been a few days since you ordered from {{ brand.name }}, and we hope you are enjoying
{% if event.items.first.name %}your {{ event.items.first.name }}{% if event.items.size > 1 %} and the rest of your order{% endif %}{% else %}your purchase{% endif %}.

A few tips to get the most out of it:
- Take a minute for any care or setup notes that came with it: they help things last.
- {% if event.orderId %}Keep your order number, {{ event.orderId }}, handy{% else %}Keep your order confirmation handy{% endif %} in case you ever need a hand with it.
- If anything is not quite right, our support team is happy to help.

Loving it? Leave a review at {{ brand.name }}: it helps other shoppers and makes our day.

Thanks again,
The {{ brand.name }} team`,
  },
  // win_back_60_days: event = { idleDays, lastActivityAt } from the daily sweep; the note stays
  // general ("a while") rather than counting the customer's idle days back at them.
  {
    id: 'win_back',
    subject: '{{ first_name | default: "Hi" }}, it has been a while: here is what is new at {{ brand.name }}',
    preheader: 'New arrivals, returning favourites and more since your last visit.',
    html: `<h1>It has been a while!</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>We have not seen you at {{ brand.name }} for some time, and we wanted to say thank you for shopping with us before.</p>
<p>A lot has happened since your last visit: new arrivals, returning favourites and fresh ideas we think you will enjoy.</p>
{%- if recommended_categories %}
<p>Picked for you, from what you liked before: new in {{ recommended_categories | join: ", " }}.</p>
{%- endif %}
<p><strong>Come and see what is new at {{ brand.name }}. It would be great to have you back.</strong></p>
<p>Hope to see you soon,<br>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

We have not seen you at {{ brand.name }} for some time, and we wanted to say thank you for shopping with us before.

A lot has happened since your last visit: new arrivals, returning favourites and fresh ideas we think you will enjoy.
{% if recommended_categories %}
Picked for you, from what you liked before: new in {{ recommended_categories | join: ", " }}.
{% endif %}
Come and see what is new at {{ brand.name }}. It would be great to have you back.

Hope to see you soon,
The {{ brand.name }} team`,
  },
  // high_engagement_premium_content: event = the email_click's properties (url, sendId, ...), which
  // say nothing the reader wants to see again, so the template does not use them.
  {
    id: 'premium_content',
    subject: '{{ first_name | default: "Hi" }}, something special for our most engaged readers',
    preheader: 'Our latest in-depth guides and staff picks, for readers like you.',
    html: `<h1>Thanks for reading</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>You are one of the readers who follow our emails most closely, and we appreciate it.
So we wanted you to be among the first to hear about our latest in-depth content.</p>
<p>Our newest guides and staff picks are now up at {{ brand.name }}: the stories behind our products,
how to get the most out of them, and a peek at what is coming next.</p>
<p><strong>Visit {{ brand.name }} and dive in: we think you will enjoy them.</strong></p>
<p>Happy reading,<br>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

You are one of the readers who follow our emails most closely, and we appreciate it.
So we wanted you to be among the first to hear about our latest in-depth content.

Our newest guides and staff picks are now up at {{ brand.name }}: the stories behind our products,
how to get the most out of them, and a peek at what is coming next.

Visit {{ brand.name }} and dive in: we think you will enjoy them.

Happy reading,
The {{ brand.name }} team`,
  },
  // segment_entry_campaign: event = the segment the customer just entered (segmentId, matchScore,
  // priority). One content variant per critical or high priority segment of the catalog (document
  // 001 sends each segment its own content), a general one for any other; never the score.
  {
    id: 'segment_welcome',
    subject:
      '{{ first_name | default: "Hi" }}, {% case event.segmentId %}{% when "high_engagement" %}early access for you{% when "purchase_intent", "potential_buyers" %}a closer look{% when "at_risk_churn", "activity_at_risk" %}how are we doing?{% when "loyal_advocate", "high_value_customer" %}thank you{% else %}picked for you{% endcase %}',
    preheader: 'A note written for customers like you.',
    html: `<h1>Hi {{ first_name | default: "there" }},</h1>
{%- case event.segmentId %}
{%- when "high_engagement" %}
<p>You follow our emails more closely than almost anyone, so you are first in line: our newest guides,
exclusive offers and early access to what is coming next are waiting at {{ brand.name }}.</p>
{%- when "purchase_intent", "potential_buyers" %}
<p>Still weighing it up? Our product guides, demos and what other customers say about them are a
good place to start, and we are happy to answer any question.</p>
{%- when "at_risk_churn", "activity_at_risk" %}
<p>It has been a while, and we would love to know how we are doing. Tell us what would make
{{ brand.name }} better for you: we read every answer, and there is a little something waiting for you.</p>
{%- when "loyal_advocate", "high_value_customer" %}
<p>You are one of the customers who make {{ brand.name }} what it is. Thank you: your rewards and an
invitation to try new things before anyone else are waiting for you.</p>
{%- else %}
<p>We put together a few things at {{ brand.name }} that we think are right for you.</p>
{%- endcase %}
<p>See you soon,<br>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

{% case event.segmentId -%}
{%- when "high_engagement" -%}
You follow our emails more closely than almost anyone, so you are first in line: our newest guides,
exclusive offers and early access to what is coming next are waiting at {{ brand.name }}.
{%- when "purchase_intent", "potential_buyers" -%}
Still weighing it up? Our product guides, demos and what other customers say about them are a
good place to start, and we are happy to answer any question.
{%- when "at_risk_churn", "activity_at_risk" -%}
It has been a while, and we would love to know how we are doing. Tell us what would make
{{ brand.name }} better for you: we read every answer, and there is a little something waiting for you.
{%- when "loyal_advocate", "high_value_customer" -%}
You are one of the customers who make {{ brand.name }} what it is. Thank you: your rewards and an
invitation to try new things before anyone else are waiting for you.
{%- else -%}
We put together a few things at {{ brand.name }} that we think are right for you.
{%- endcase %}

See you soon,
The {{ brand.name }} team`,
  },
  // purchase_intent_picks: event = a PurchaseIntentChanged detail. Only its `interests` (the
  // customer's top content categories) reach the email; the probability and model never do.
  {
    id: 'picked_for_you',
    subject: '{{ first_name | default: "Hi" }}, {% if event.interests.size > 0 %}new in {{ event.interests | first }} at {{ brand.name }}{% else %}a few picks from {{ brand.name }}{% endif %}',
    preheader: 'A short list we put together with you in mind.',
    html: `<h1>Picked for you</h1>
<p>Hi {{ first_name | default: "there" }},</p>
{%- if event.interests.size > 0 %}
<p>We have been adding to the ranges you like most at {{ brand.name }}, so here is a good moment to see
what is new in <strong>{{ event.interests | join: ", " }}.</strong></p>
{%- else %}
<p>We have been adding new things at {{ brand.name }}, and we think a few of them are right up your street.</p>
{%- endif %}
<p><strong>Visit {{ brand.name }} to see this week's picks.</strong></p>
<p>Happy browsing,<br>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

{% if event.interests.size > 0 -%}
We have been adding to the ranges you like most at {{ brand.name }}, so here is a good moment to see
what is new in {{ event.interests | join: ", " }}.
{%- else -%}
We have been adding new things at {{ brand.name }}, and we think a few of them are right up your street.
{%- endif %}

Visit {{ brand.name }} to see this week's picks.

Happy browsing,
The {{ brand.name }} team`,
  },
  // vip_onboarding: event = the properties of the purchase that made the customer a VIP: orderId,
  // amount, maybe currency and items.
  {
    id: 'vip_welcome',
    subject: 'Welcome to the {{ brand.name }} VIPs, {{ first_name | default: "friend" }}!',
    preheader: 'Thank you for being one of our very best customers.',
    html: `{% assign currency = event.currency | default: "" -%}
<h1>You are now a {{ brand.name }} VIP</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>Thank you for your latest order{% if event.amount > 0 %} of {{ event.amount | money: currency }}{% endif %}.
With it you have become one of our VIP customers, and we could not be happier to have you.</p>
<p>As a VIP you will be among the first to hear about new arrivals and special events,
and our team will take extra good care of you whenever you need us.</p>
<p><strong>Have a look around {{ brand.name }}: there is plenty more we think you will love.</strong></p>
<p>With thanks,<br>The {{ brand.name }} team</p>`,
    text: `{% assign currency = event.currency | default: "" -%}
Hi {{ first_name | default: "there" }},

Thank you for your latest order{% if event.amount > 0 %} of {{ event.amount | money: currency }}{% endif %}.
With it you have become one of our VIP customers, and we could not be happier to have you.

As a VIP you will be among the first to hear about new arrivals and special events,
and our team will take extra good care of you whenever you need us.

Have a look around {{ brand.name }}: there is plenty more we think you will love.

With thanks,
The {{ brand.name }} team`,
  },
  // support_follow_up (service mail, no marketing): event = the support_ticket's properties:
  // ticketId always (guarded all the same), status (solved or closed) and subject maybe.
  {
    id: 'support_follow_up',
    subject: 'How did we do{% if event.ticketId %} with ticket {{ event.ticketId }}{% endif %}?',
    preheader: 'Your support request has been {% if event.status == "closed" %}closed{% else %}resolved{% endif %}. We hope it is all sorted.',
    html: `<h1>How did we do?</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>Your support request{% if event.ticketId %} <strong>{{ event.ticketId }}</strong>{% endif %}{% if event.subject %} about "{{ event.subject }}"{% endif %}
has been {% if event.status == "closed" %}closed{% else %}resolved{% endif %}. We hope everything is working the way it should.</p>
<p>Your feedback helps us get better, so we would love to know how it went.</p>
<p><strong>Anything still not right? Contact our support team{% if event.ticketId %} and mention ticket {{ event.ticketId }}{% endif %}, and we will pick it up straight away.</strong></p>
<p>Thank you,<br>The {{ brand.name }} support team</p>`,
    text: `Hi {{ first_name | default: "there" }},

Your support request{% if event.ticketId %} {{ event.ticketId }}{% endif %}{% if event.subject %} about "{{ event.subject }}"{% endif %}
has been {% if event.status == "closed" %}closed{% else %}resolved{% endif %}. We hope everything is working the way it should.

Your feedback helps us get better, so we would love to know how it went.

Anything still not right? Contact our support team{% if event.ticketId %} and mention ticket {{ event.ticketId }}{% endif %}, and we will pick it up straight away.

Thank you,
The {{ brand.name }} support team`,
  },
  // confirm_subscription (service mail): event = a consent_confirmation_requested's properties
  // (categories); `confirm` = the signed link, its lifetime in hours, and the categories' names.
  {
    id: 'confirm_subscription',
    requires: ['confirm'],
    subject: 'Please confirm your subscription to {{ brand.name }}',
    preheader: 'One click and you are subscribed. Did not ask for this? Ignore this email and nothing changes.',
    html: `<h1>Please confirm</h1>
<p>Hi {{ first_name | default: "there" }},</p>
<p>Someone, we hope you, asked on your {{ brand.name }} email preferences page to receive:</p>
<ul>
{%- for category in confirm.categories %}
  <li><strong>{{ category.name }}:</strong> {{ category.description }}</li>
{%- endfor %}
</ul>
<p><a href="{{ confirm.url }}" style="display:inline-block;padding:12px 20px;background:#0b57d0;color:#ffffff;text-decoration:none;border-radius:6px">Yes, subscribe me</a></p>
<p style="font-size:13px;color:#555">Button not working? Copy this link into your browser: {{ confirm.url }}</p>
<p>The link works for {{ confirm.hours }} hours. If you did not ask for this, ignore this email: nothing changes.</p>
<p>The {{ brand.name }} team</p>`,
    text: `Hi {{ first_name | default: "there" }},

Someone, we hope you, asked on your {{ brand.name }} email preferences page to receive:
{% for category in confirm.categories %}- {{ category.name }}: {{ category.description }}
{% endfor %}
Confirm here: {{ confirm.url }}

The link works for {{ confirm.hours }} hours. If you did not ask for this, ignore this email: nothing changes.

The {{ brand.name }} team`,
  },
];

/**
 * A paragraph of a sequence email: plain text (Liquid allowed), a paragraph shown only when
 * `if` (a Liquid condition) holds, or separate HTML and text markup (a cart table).
 */
type Paragraph = string | { if: string; text: string } | { html: string; text: string; if?: string };

/**
 * A sequence email in the house style: heading, "Hi <first name>,", paragraphs, a call to action in
 * words and a sign-off; the HTML and text parts say the same thing.
 */
function letter(t: {
  id: string;
  subject: string;
  preheader: string;
  heading: string;
  paragraphs: Paragraph[];
  action: string;
  signoff: string;
  requires?: string[];
}): EmailTemplateInput {
  const greeting = 'Hi {{ first_name | default: "there" }},';
  const html = t.paragraphs.map((p) => {
    if (typeof p === 'string') return `<p>${p}</p>`;
    if ('html' in p) return p.if ? `{%- if ${p.if} %}\n${p.html}\n{%- endif %}` : p.html;
    return `{%- if ${p.if} %}\n<p>${p.text}</p>\n{%- endif %}`;
  });
  const text = t.paragraphs.map((p) => {
    if (typeof p === 'string') return `${p}\n\n`;
    if (p.if) return `{% if ${p.if} %}${p.text}\n\n{% endif %}`;
    return `${p.text}\n\n`;
  });
  return {
    id: t.id,
    ...(t.requires ? { requires: t.requires } : {}),
    subject: t.subject,
    preheader: t.preheader,
    // The call to action links to the shop when the catalog names it (`shopUrl`); the dispatcher signs it for click tracking.
    html: [`<h1>${t.heading}</h1>`, `<p>${greeting}</p>`, ...html, `{%- if brand.url %}\n<p><a href="{{ brand.url }}"><strong>${t.action}</strong></a></p>\n{%- else %}\n<p><strong>${t.action}</strong></p>\n{%- endif %}`, `<p>${t.signoff},<br>The {{ brand.name }} team</p>`].join('\n'),
    text: `${greeting}\n\n${text.join('')}${t.action}{% if brand.url %} {{ brand.url }}{% endif %}\n\n${t.signoff},\nThe {{ brand.name }} team`,
  };
}

const CART_TABLE: Paragraph = {
  html: `<table>
{%- for item in cart.items %}
  <tr><td>{{ item.name | default: item.productId }}</td><td>&times; {{ item.quantity }}</td><td>{{ item.price | money: cart.currency }}</td></tr>
{%- endfor %}
</table>
{%- if cart.item_count > cart.items.size %}
<p>…and {{ cart.item_count | minus: cart.items.size }} more.</p>
{%- endif %}
<p><strong>Total: {{ cart.value | money: cart.currency }}</strong></p>`,
  text: `{% for item in cart.items %}- {{ item.name | default: item.productId }} x {{ item.quantity }}: {{ item.price | money: cart.currency }}
{% endfor %}{% if cart.item_count > cart.items.size %}...and {{ cart.item_count | minus: cart.items.size }} more.
{% endif %}Total: {{ cart.value | money: cart.currency }}`,
};

const TOP_CATEGORIES: Paragraph = {
  if: 'recommended_categories',
  text: 'Picked for you, from what you liked before: new in {{ recommended_categories | join: ", " }}.',
};

/**
 * Document 000's recommended_products (seen, not bought, top categories first): each links to its
 * page when the event gave one, and the link names its category so a click updates the interest
 * profile (document 001).
 */
const RECOMMENDED_PRODUCTS: Paragraph = {
  if: 'recommended_products',
  html: `<p>Picked for you, from what you looked at:</p>
<ul>
{%- for product in recommended_products %}
  <li>{% if product.url %}<a href="{{ product.url }}"{% if product.category %} data-category="{{ product.category }}"{% endif %}>{{ product.name | default: product.product_id }}</a>{% else %}{{ product.name | default: product.product_id }}{% endif %}{% if product.price %}: {{ product.price | money }}{% endif %}</li>
{%- endfor %}
</ul>`,
  text: `Picked for you, from what you looked at:
{% for product in recommended_products %}- {{ product.name | default: product.product_id }}{% if product.price %}: {{ product.price | money }}{% endif %}{% if product.url %} {{ product.url }}{% endif %}
{% endfor %}`,
};

/**
 * The emails of the nurture sequences (sequences.ts), one per step, id `<sequence>_<step>`. A step
 * email knows the customer, not a triggering event; cart_recovery needs the cart.
 */
function sequenceTemplates(): EmailTemplateInput[] {
  return [
    // --- welcome_series ---------------------------------------------------------------------
    letter({
      id: 'welcome_series_hello',
      subject: 'Welcome to {{ brand.name }}, {{ first_name | default: "friend" }}!',
      preheader: 'We are glad you are here. Here is what to expect from us.',
      heading: 'Welcome to {{ brand.name }}',
      paragraphs: [
        'Thank you for joining us. Over the next few days we will send you a couple of short emails to help you find your way around.',
        'After that we will only write when we have something worth your time: new arrivals, useful guides and the occasional offer.',
      ],
      action: 'Take a first look around {{ brand.name }} whenever you are ready.',
      signoff: 'See you soon',
    }),
    letter({
      id: 'welcome_series_our_story',
      subject: '{{ first_name | default: "Hi" }}, a little about who we are at {{ brand.name }}',
      preheader: 'What we care about, and how we choose what we sell.',
      heading: 'A little about us',
      paragraphs: [
        'Every product at {{ brand.name }} is one we would happily use ourselves. We choose things that are made well, last long and are a pleasure to use.',
        'If something ever falls short of that, we want to hear about it: just reply to any of our emails and a real person will answer.',
      ],
      action: 'Browse {{ brand.name }} and see what we mean.',
      signoff: 'Warm wishes',
    }),
    letter({
      id: 'welcome_series_getting_started',
      subject: '{{ first_name | default: "Hi" }}, three tips for finding what you want at {{ brand.name }}',
      preheader: 'Search, categories and our customer favourites.',
      heading: 'Finding your way around',
      paragraphs: [
        'A few tips to make the most of {{ brand.name }}: search by what you need rather than by name, browse our categories when you are looking for ideas, and keep an eye on our customer favourites.',
        TOP_CATEGORIES,
        'And if you cannot find something, ask us: we are happy to help.',
      ],
      action: 'Start exploring {{ brand.name }} today.',
      signoff: 'Happy shopping',
    }),

    // --- cart_recovery: the customer's saved cart ----------------------------------------------
    letter({
      id: 'cart_recovery_reminder',
      requires: ['cart'],
      subject:
        '{{ first_name | default: "Hi" }}, {% if cart.item_count > 0 %}you left {{ cart.item_count }} item{% if cart.item_count != 1 %}s{% endif %} in your cart{% else %}your cart is still waiting{% endif %}',
      preheader: 'Your cart is saved: {{ cart.value | money: cart.currency }}.',
      heading: 'You left something behind',
      paragraphs: ['Your cart at {{ brand.name }} is saved, just as you left it:', CART_TABLE],
      action: 'Head back to {{ brand.name }} to finish your order whenever you are ready.',
      signoff: 'Thanks',
    }),
    letter({
      id: 'cart_recovery_still_saved',
      requires: ['cart'],
      subject: '{{ first_name | default: "Hi" }}, your cart at {{ brand.name }} is still saved',
      preheader: 'Anything we can help with before you decide?',
      heading: 'Your cart is still here',
      paragraphs: [
        'We have kept your cart for you. If a question is holding you back, about sizing, delivery or anything else, just reply to this email and we will help.',
        CART_TABLE,
      ],
      action: 'Your cart is waiting at {{ brand.name }}.',
      signoff: 'Best wishes',
    }),
    letter({
      id: 'cart_recovery_last_call',
      requires: ['cart'],
      subject: '{{ first_name | default: "Hi" }}, a last reminder about your cart',
      preheader: 'Popular items do not stay in stock forever.',
      heading: 'A last reminder',
      paragraphs: [
        'This is the last time we will remind you about your cart. Popular items can sell out, so if you still want them, now is a good moment.',
        CART_TABLE,
      ],
      action: 'Complete your order at {{ brand.name }} before your items sell out.',
      signoff: 'Thanks for considering us',
    }),

    // --- document 001's real-time campaigns ---------------------------------------------------
    letter({
      id: 'high_engagement_sequence_best_of',
      subject: '{{ first_name | default: "Hi" }}, the best of {{ brand.name }}, for a reader like you',
      preheader: 'You read us more than most: here is what our most engaged readers like best.',
      heading: 'Thank you for reading',
      paragraphs: [
        'You open and click our emails more than most readers, so we picked the guides and pieces our most engaged readers like best.',
        TOP_CATEGORIES,
        RECOMMENDED_PRODUCTS,
      ],
      action: 'Read the best of {{ brand.name }}.',
      signoff: 'Enjoy',
    }),
    letter({
      id: 'high_engagement_sequence_early_access',
      subject: '{{ first_name | default: "Hi" }}, first look at what is new at {{ brand.name }}',
      preheader: 'Readers like you hear about new arrivals first.',
      heading: 'A first look for you',
      paragraphs: ['Because you follow us closely, you hear about our new arrivals before anyone else.', RECOMMENDED_PRODUCTS],
      action: 'See what is new at {{ brand.name }}.',
      signoff: 'See you soon',
    }),

    // --- content_recommendation (document 003): one predicted interest per email, strongest first --
    letter({
      id: 'content_recommendation_first_interest',
      subject: '{{ first_name | default: "Hi" }}, {% if preferred_content %}more {{ preferred_content[0] }} for you{% else %}picked for you{% endif %}',
      preheader: 'Ideas from the things you like most.',
      heading: '{% if preferred_content %}More {{ preferred_content[0] }}{% else %}Picked for you{% endif %}',
      paragraphs: [
        '{% if preferred_content %}You seem to enjoy {{ preferred_content[0] }}, so here is what we have in that range.{% else %}Here are a few ideas we think you will like.{% endif %}',
        RECOMMENDED_PRODUCTS,
      ],
      action: 'Explore {{ brand.name }}.',
      signoff: 'Enjoy',
    }),
    letter({
      id: 'content_recommendation_second_interest',
      subject: '{{ first_name | default: "Hi" }}, {% if preferred_content[1] %}have you seen our {{ preferred_content[1] }} range?{% else %}something else you might like{% endif %}',
      preheader: 'The next thing on your list of interests.',
      heading: '{% if preferred_content[1] %}Our {{ preferred_content[1] }} range{% else %}Something else you might like{% endif %}',
      paragraphs: [
        '{% if preferred_content[1] %}Besides {{ preferred_content[0] }}, you also like {{ preferred_content[1] }}: here is what is new there.{% else %}A few more ideas, based on what you liked before.{% endif %}',
      ],
      action: 'Explore {{ brand.name }}.',
      signoff: 'Enjoy',
    }),
    letter({
      id: 'content_recommendation_third_interest',
      subject: '{{ first_name | default: "Hi" }}, {% if preferred_content[2] %}a little {{ preferred_content[2] }} for you{% else %}one more idea for you{% endif %}',
      preheader: 'One more interest of yours, one more idea.',
      heading: '{% if preferred_content[2] %}A little {{ preferred_content[2] }}{% else %}One more idea{% endif %}',
      paragraphs: [
        '{% if preferred_content[2] %}Last in this series: {{ preferred_content[2] }}, another range you seem to like.{% else %}Last in this series: a few more ideas, based on what you liked before.{% endif %}',
        TOP_CATEGORIES,
      ],
      action: 'Explore {{ brand.name }}.',
      signoff: 'Until next time',
    }),

    // --- win_back: cancelled; stops on any activity ---------------------------------------------
    letter({
      id: 'win_back_we_miss_you',
      subject: '{{ first_name | default: "Hi" }}, we are sorry to see you go',
      preheader: 'Thank you for the time you spent with {{ brand.name }}.',
      heading: 'Thank you for being with us',
      paragraphs: [
        'We noticed you cancelled, and we wanted to say thank you for the time you spent with {{ brand.name }}.',
        'If something did not work for you, we would genuinely like to know: just reply to this email. Every answer is read by our team.',
      ],
      action: 'Our door is always open at {{ brand.name }}.',
      signoff: 'All the best',
    }),
    letter({
      id: 'win_back_whats_new',
      subject: '{{ first_name | default: "Hi" }}, here is what is new at {{ brand.name }}',
      preheader: 'New arrivals and returning favourites since you left.',
      heading: 'What is new',
      paragraphs: [
        'A few things have changed since you left: new arrivals, returning favourites and fresh ideas we think you will enjoy.',
        TOP_CATEGORIES,
      ],
      action: 'Take a look at what is new at {{ brand.name }}.',
      signoff: 'Hope to see you soon',
    }),
    letter({
      id: 'win_back_last_note',
      subject: '{{ first_name | default: "Hi" }}, one last note from {{ brand.name }}',
      preheader: 'This is the last email of this series.',
      heading: 'One last note',
      paragraphs: [
        'This is the last email we will send you about coming back. We will not fill your inbox.',
        'Should you ever want to return, everything will be right where you left it, and we would be glad to see you.',
      ],
      action: 'You are always welcome back at {{ brand.name }}.',
      signoff: 'Take care',
    }),

    // --- prospect -----------------------------------------------------------------------------
    letter({
      id: 'educational_content_buying_guide',
      subject: '{{ first_name | default: "Hi" }}, how to choose well: our buying guide',
      preheader: 'What to look for, and what to skip.',
      heading: 'How to choose well',
      paragraphs: [
        'Choosing something new is easier with a few questions in mind: what will you use it for, how often, and what matters most to you, be it durability, looks or price?',
        'Our product pages answer those questions in plain words, and our team is happy to help if you are torn between two options.',
        TOP_CATEGORIES,
      ],
      action: 'Read up and browse at {{ brand.name }}.',
      signoff: 'Happy reading',
    }),
    letter({
      id: 'educational_content_care_guide',
      subject: '{{ first_name | default: "Hi" }}, making good things last',
      preheader: 'Simple care tips that keep things looking new.',
      heading: 'Making good things last',
      paragraphs: [
        'The best purchase is one you keep for years. A little care goes a long way: follow the care notes, store things dry and clean them gently.',
        'Whenever you buy from {{ brand.name }}, you will find care notes for each product on its page.',
      ],
      action: 'Find your next favourite at {{ brand.name }}.',
      signoff: 'All the best',
    }),
    letter({
      id: 'social_proof_customer_favourites',
      subject: '{{ first_name | default: "Hi" }}, the favourites of {{ brand.name }} customers',
      preheader: 'What other customers keep coming back for.',
      heading: 'Our customers\' favourites',
      paragraphs: [
        'Not sure where to start? Our customers have already done the testing for you. Our most-loved products are the ones people buy again and recommend to friends.',
        'Every review on our product pages comes from a real customer, so you can see what others think before you decide.',
      ],
      action: 'See the customer favourites at {{ brand.name }}.',
      signoff: 'Happy browsing',
    }),

    // --- new_customer ---------------------------------------------------------------------------
    letter({
      id: 'onboarding_series_thank_you',
      subject: 'Thank you for your first order, {{ first_name | default: "friend" }}!',
      preheader: 'We are so glad you chose {{ brand.name }}.',
      heading: 'Thank you for your first order',
      paragraphs: [
        'Thank you for choosing {{ brand.name }}. We hope your order brings you a lot of joy.{% if loyalty_member %} Your first order also made you a member of our loyalty programme: members hear about offers and new arrivals first.{% endif %}',
        'Over the next days we will send you a few tips to help you get started. If you need anything in the meantime, just reply to this email.',
      ],
      action: 'Welcome to the {{ brand.name }} family.',
      signoff: 'With thanks',
    }),
    letter({
      id: 'onboarding_series_first_steps',
      subject: '{{ first_name | default: "Hi" }}, getting started with your purchase',
      preheader: 'A few first steps to enjoy it from day one.',
      heading: 'Your first steps',
      paragraphs: [
        'By now your order should have arrived. A few first steps: check that everything is there, read the care or setup notes that came with it, and keep your order confirmation handy.',
        'If anything is not quite right, our support team will sort it out.',
      ],
      action: 'Enjoy your purchase from {{ brand.name }}.',
      signoff: 'All the best',
    }),
    letter({
      id: 'support_resources_help_is_here',
      subject: '{{ first_name | default: "Hi" }}, help is always here at {{ brand.name }}',
      preheader: 'Questions about your order? Here is how to reach us.',
      heading: 'We are here to help',
      paragraphs: [
        'Now that you are a {{ brand.name }} customer, we want you to know where to find help when you need it.',
        'Questions about delivery, returns or how to use something? Just reply to this email and our support team will get back to you.',
      ],
      action: 'Never hesitate to ask: we are happy to help.',
      signoff: 'Kind regards',
    }),
    letter({
      id: 'product_education_get_more_out',
      subject: '{{ first_name | default: "Hi" }}, get more out of your purchase',
      preheader: 'Ideas to enjoy it even more.',
      heading: 'Getting more out of it',
      paragraphs: [
        'You have had your purchase for a little while now. Our product pages have tips and ideas to help you use it in new ways and keep it in great shape.',
        TOP_CATEGORIES,
      ],
      action: 'Discover more ideas at {{ brand.name }}.',
      signoff: 'Happy exploring',
    }),

    // --- repeat_customer ------------------------------------------------------------------------
    letter({
      id: 'loyalty_content_thank_you',
      subject: 'Thank you for coming back, {{ first_name | default: "friend" }}',
      preheader: 'It means a lot to us.',
      heading: 'Thank you for coming back',
      paragraphs: [
        'Your repeat order means a great deal to us. Customers who come back are the best sign that we are doing something right.',
        'As a returning customer, you will hear from us about new arrivals and the things we think you will like most.',
      ],
      action: 'Thank you for being part of {{ brand.name }}.',
      signoff: 'With gratitude',
    }),
    letter({
      id: 'advanced_features_next_level',
      subject: '{{ first_name | default: "Hi" }}, a few ideas for regulars at {{ brand.name }}',
      preheader: 'Reorders, combinations and picks based on your taste.',
      heading: 'Ideas for regulars',
      paragraphs: [
        'You know your way around {{ brand.name }}, so here are a few ideas to make it even easier: reorder your favourites from your order history, and look for products that go well with what you already have.',
        TOP_CATEGORIES,
      ],
      action: 'Visit {{ brand.name }} and find your next favourite.',
      signoff: 'Happy shopping',
    }),
    letter({
      id: 'exclusive_offers_first_in_line',
      subject: '{{ first_name | default: "Hi" }}, you are first in line for our member offers',
      preheader: 'Our best offers reach our regulars first.',
      heading: 'You are first in line',
      paragraphs: [
        'As one of our returning customers, you will be among the first to hear about our member offers, before anyone else.',
        'Keep an eye on your inbox: the next one will come straight to you.',
      ],
      action: 'Thank you for shopping with {{ brand.name }}.',
      signoff: 'Warm wishes',
    }),

    // --- vip_customer -----------------------------------------------------------------------------
    letter({
      id: 'vip_content_behind_the_scenes',
      subject: '{{ first_name | default: "Hi" }}, a look behind the scenes at {{ brand.name }}',
      preheader: 'For our VIPs: how we choose what we sell.',
      heading: 'Behind the scenes',
      paragraphs: [
        'As one of our VIPs, you get a look behind the scenes: how we find new products, test them for months and decide which ones make it into the shop.',
        'We will share more of these stories with you, along with the people and makers behind them.',
      ],
      action: 'Thank you for being a {{ brand.name }} VIP.',
      signoff: 'With thanks',
    }),
    letter({
      id: 'early_access_first_look',
      subject: '{{ first_name | default: "Hi" }}, VIPs hear about new arrivals first',
      preheader: 'Your first look at what is coming to {{ brand.name }}.',
      heading: 'Your first look',
      paragraphs: [
        'As a {{ brand.name }} VIP, you will hear about our new arrivals before everyone else, so you can pick your favourites before they are gone.',
        TOP_CATEGORIES,
      ],
      action: 'Watch your inbox for your first look at what is next.',
      signoff: 'Warm wishes',
    }),
    letter({
      id: 'personal_account_manager_introduction',
      subject: '{{ first_name | default: "Hi" }}, your personal contact at {{ brand.name }}',
      preheader: 'One team, looking after you personally.',
      heading: 'Your personal contact',
      paragraphs: [
        'As one of our VIPs, you now have a personal contact on our team. Questions about an order, a gift or a product you are considering? They will take care of it personally.',
        'To reach them, simply reply to this email.',
      ],
      action: 'We look forward to hearing from you.',
      signoff: 'Kind regards',
    }),

    // --- at_risk ------------------------------------------------------------------------------
    letter({
      id: 'win_back_campaign_hello_again',
      subject: '{{ first_name | default: "Hi" }}, it has been a while: here is what is new at {{ brand.name }}',
      preheader: 'New arrivals and returning favourites since your last visit.',
      heading: 'It has been a while',
      paragraphs: [
        'We have not seen you at {{ brand.name }} for some time, and we wanted to say hello.',
        'A lot has happened since your last visit: new arrivals, returning favourites and fresh ideas we think you will enjoy.',
      ],
      action: 'Come and see what is new at {{ brand.name }}.',
      signoff: 'Hope to see you soon',
    }),
    letter({
      id: 'win_back_campaign_picked_for_you',
      subject: '{{ first_name | default: "Hi" }}, a few picks we think you will like',
      preheader: 'Chosen with you in mind.',
      heading: 'Picked for you',
      paragraphs: [
        'We have put together a few ideas we think you will like, from new arrivals to the products our customers love most.',
        TOP_CATEGORIES,
      ],
      action: 'Have a look at {{ brand.name }}: it would be great to have you back.',
      signoff: 'All the best',
    }),
    letter({
      id: 'feedback_request_tell_us',
      subject: '{{ first_name | default: "Hi" }}, how can {{ brand.name }} do better?',
      preheader: 'One question, and your answer goes straight to our team.',
      heading: 'How can we do better?',
      paragraphs: [
        'We have not seen you in a while, and we would love to know why. Was something missing, or did something not go the way you hoped?',
        'Just reply to this email with a line or two. Every answer is read by our team and helps us improve.',
      ],
      action: 'Thank you for helping us get better.',
      signoff: 'With thanks',
    }),
    letter({
      id: 'special_incentives_something_for_you',
      subject: '{{ first_name | default: "Hi" }}, something special is coming your way',
      preheader: 'A thank-you for being a {{ brand.name }} customer.',
      heading: 'Something special for you',
      paragraphs: [
        'You have shopped with us before, and we would love to welcome you back. That is why you are on the list for our next member offer.',
        'We will let you know as soon as it is ready: watch your inbox.',
      ],
      action: 'In the meantime, see what is new at {{ brand.name }}.',
      signoff: 'Warm wishes',
    }),

    // --- advocate -----------------------------------------------------------------------------
    letter({
      id: 'advocate_rewards_thank_you',
      subject: 'Thank you for recommending {{ brand.name }}, {{ first_name | default: "friend" }}',
      preheader: 'Word of mouth means the world to us.',
      heading: 'Thank you for spreading the word',
      paragraphs: [
        'Recommendations from customers like you are how most people find {{ brand.name }}. Thank you for sharing the love.',
        'As one of our advocates, you will be the first to hear about our thank-you rewards for customers who recommend us.',
      ],
      action: 'Thank you for being a {{ brand.name }} advocate.',
      signoff: 'With gratitude',
    }),
    letter({
      id: 'beta_programs_invitation',
      subject: '{{ first_name | default: "Hi" }}, want to try new products before anyone else?',
      preheader: 'Help us test what comes next at {{ brand.name }}.',
      heading: 'Try it before anyone else',
      paragraphs: [
        'Before a new product joins {{ brand.name }}, a small group of customers tries it and tells us what they think. We would love you to be one of them.',
        'Interested? Just reply to this email and we will add you to the list for the next round.',
      ],
      action: 'Help shape what comes next at {{ brand.name }}.',
      signoff: 'Thank you',
    }),
    letter({
      id: 'co_marketing_opportunities_share_your_story',
      subject: '{{ first_name | default: "Hi" }}, would you share your {{ brand.name }} story?',
      preheader: 'We would love to feature customers like you.',
      heading: 'Share your story',
      paragraphs: [
        'Customers like you are the best ambassadors we could ask for. We would love to feature your story: how you use our products and what you enjoy about them.',
        'If you would like to take part, reply to this email and we will get in touch to plan it together. Nothing is published without your approval.',
      ],
      action: 'Thank you for being part of {{ brand.name }}.',
      signoff: 'Warm wishes',
    }),
  ];
}

/** Every template: the rules' emails, then the sequence steps' emails. */
export const templates: EmailTemplateInput[] = [...ruleTemplates, ...sequenceTemplates()];
