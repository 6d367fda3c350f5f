"""Connect pages of the channel slice: key forms (Slack, Twilio, Amazon) and OAuth flows
(Mailchimp, QuickBooks: state kept in the session, checked on the way back)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.permissions import capability_required
from apps.integrations.errors import IntegrationError
from apps.integrations.forms_channels import (
    AmazonConnectForm,
    OAuthConnectForm,
    SlackConnectForm,
    TwilioConnectForm,
)
from apps.integrations.providers import amazon, mailchimp, quickbooks, slack, twilio

MANAGE = "integrations.manage"


def _page(request, form, provider: str, *, oauth: bool = False):
    return render(
        request,
        "integrations/channel_connect.html",
        {"form": form, "provider": provider, "oauth": oauth},
    )


def _key_connect(request, form_class, provider: str, connect):
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            connection = connect(form.cleaned_data)
        except IntegrationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{connection.name} is connected.")
            return redirect("integrations:detail", connection.pk)
    return _page(request, form, provider)


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def slack_connect(request):
    return _key_connect(
        request,
        SlackConnectForm,
        "Slack",
        lambda d: slack.connection_connect(
            name=d["name"], webhook_url=d["webhook_url"], kinds=d["kinds"]
        ),
    )


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def twilio_connect(request):
    return _key_connect(
        request,
        TwilioConnectForm,
        "Twilio SMS",
        lambda d: twilio.connection_connect(
            name=d["name"],
            account_sid=d["account_sid"],
            auth_token=d["auth_token"],
            sender=d["sender"],
            to_numbers=d["to_numbers"],
            kinds=d["kinds"],
        ),
    )


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def amazon_connect(request):
    return _key_connect(
        request,
        AmazonConnectForm,
        "Amazon",
        lambda d: amazon.connection_connect(
            name=d["name"],
            client_id=d["client_id"],
            client_secret=d["client_secret"],
            refresh_token=d["refresh_token"],
            seller_id=d["seller_id"],
            marketplace=d["marketplace"],
            warehouse=d["warehouse"],
        ),
    )


# --- OAuth ---------------------------------------------------------------------------------

OAUTH = {"mailchimp": ("Mailchimp", mailchimp), "quickbooks": ("QuickBooks", quickbooks)}


def _session_key(provider: str) -> str:
    return f"{provider}_oauth"


def _callback_uri(request, provider: str) -> str:
    return request.build_absolute_uri(reverse(f"integrations:{provider}_callback"))


def _oauth_start(request, provider: str):
    label, module = OAUTH[provider]
    form = OAuthConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        state = module.oauth_state()
        request.session[_session_key(provider)] = {
            "state": state,
            "name": form.cleaned_data["name"],
        }
        return redirect(
            module.oauth_authorize_url(redirect_uri=_callback_uri(request, provider), state=state)
        )
    return _page(request, form, label, oauth=True)


def _oauth_callback(request, provider: str):
    label, module = OAUTH[provider]
    pending = request.session.pop(_session_key(provider), None) or {}
    params = dict(request.GET.items())
    try:
        code = module.oauth_callback_code(params, expected_state=pending.get("state"))
        if provider == "mailchimp":
            connection = mailchimp.connection_connect(
                code=code,
                redirect_uri=_callback_uri(request, provider),
                name=pending.get("name", ""),
                hook_base=request.build_absolute_uri("/hooks/mailchimp/"),
            )
        else:
            connection = quickbooks.connection_connect(
                code=code,
                realm_id=params["realmId"],
                redirect_uri=_callback_uri(request, provider),
                name=pending.get("name", ""),
            )
    except IntegrationError as exc:
        messages.error(request, exc.message)
        return redirect(f"integrations:{provider}_connect")
    messages.success(request, f"{connection.name} is connected.")
    return redirect("integrations:detail", connection.pk)


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def mailchimp_connect(request):
    return _oauth_start(request, "mailchimp")


@require_GET
@capability_required(MANAGE)
def mailchimp_callback(request):
    return _oauth_callback(request, "mailchimp")


@require_http_methods(["GET", "POST"])
@capability_required(MANAGE)
def quickbooks_connect(request):
    return _oauth_start(request, "quickbooks")


@require_GET
@capability_required(MANAGE)
def quickbooks_callback(request):
    return _oauth_callback(request, "quickbooks")


urlpatterns = [
    path("slack/connect/", slack_connect, name="slack_connect"),
    path("twilio/connect/", twilio_connect, name="twilio_connect"),
    path("amazon/connect/", amazon_connect, name="amazon_connect"),
    path("mailchimp/connect/", mailchimp_connect, name="mailchimp_connect"),
    path("mailchimp/callback/", mailchimp_callback, name="mailchimp_callback"),
    path("quickbooks/connect/", quickbooks_connect, name="quickbooks_connect"),
    path("quickbooks/callback/", quickbooks_callback, name="quickbooks_callback"),
]
