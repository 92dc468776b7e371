import type { EmailTemplateInput } from '../domain/email-template.ts';

/**
 * Email templates (Liquid; HTML output is escaped by default). Variables:
 * `first_name` (string or nil), `cart` ({ value, currency, items[], item_count } or nil),
 * `event` (the triggering event's properties), `brand` ({ name }).
 *
 * Rendering is strict, so an optional event property is only used inside `{% if event.x %}` (or
 * through `| default:`); a missing one then takes the fallback instead of failing the send. Each
 * template's comment says which event its rule hands it. Calls to action are words for now: links
 * and the unsubscribe footer come with tracked links.
 */
export const templates: EmailTemplateInput[] = [
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
];
