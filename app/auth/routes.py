"""Views for signing in and out and for the user's own account. Thin: services do the work."""

from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit.services import record_event
from app.auth import bp
from app.auth.forms import (
    ChangePasswordForm,
    ForgottenPasswordForm,
    ResetPasswordForm,
    SignInForm,
    SubmittedMailForm,
)
from app.auth.password_reset import (
    TooManyResetRequests,
    request_reset,
    reset_minutes,
    reset_password,
    user_for_token,
)
from app.auth.services import (
    ACCOUNT_DISABLED_MESSAGE,
    SIGN_IN_FAILED_MESSAGE,
    AccountDisabled,
    PasswordChangeProblem,
    authenticate,
    change_password,
)
from app.auth.throttle import TooManyAttempts, reserve_sign_in_attempt
from app.extensions import db
from app.models import Role
from app.security.access import public, signed_in
from app.security.known_devices import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_LIFETIME, remember_device
from app.security.redirects import safe_next_path
from app.security.sessions import end_session, start_session

# Endpoints a user who must change their password may still reach.
_ALLOWED_BEFORE_PASSWORD_CHANGE = frozenset(
    {"auth.change_password", "auth.sign_out", "auth.keep_alive", "main.accessibility", "main.privacy",
     "main.healthz", "static"}
)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in() -> Response | str:
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("main.home"))
    form = SignInForm()
    if request.method == "POST":
        try:
            attempt = reserve_sign_in_attempt(request.form.get("email") or "")
        except TooManyAttempts:
            abort(429)
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data or "", form.password.data or "")
        except AccountDisabled:
            form.email.errors = [ACCOUNT_DISABLED_MESSAGE]
            return render_template("auth/sign_in.html", form=form, timed_out=False)
        if user is not None:
            attempt.give_back()  # only failed attempts count
            start_session(user)
            if user.must_change_password:
                response = redirect(url_for("auth.change_password", next=next_path))
            else:
                response = redirect(next_path or url_for("main.home"))
            _remember_this_browser(response, user.email)
            return response
        form.email.errors = [SIGN_IN_FAILED_MESSAGE]
    return render_template("auth/sign_in.html", form=form, timed_out=request.args.get("timed_out") == "1",
                           kept=request.args.get("kept") == "1")


def _remember_this_browser(response: Response, email: str) -> None:
    value = remember_device(current_app.secret_key, request.cookies.get(KNOWN_DEVICE_COOKIE), email)
    response.set_cookie(KNOWN_DEVICE_COOKIE, value, max_age=int(KNOWN_DEVICE_LIFETIME.total_seconds()),
                        path=url_for("auth.sign_in"), httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out() -> Response:
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        record_event("auth.signed_out", object_type="user", object_id=user.id, summary="Signed out")
        end_session(user)
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account")
@signed_in
def account() -> str:
    """Your account, and how to change it: yourself if you manage accounts, otherwise whom to ask, by name."""
    from app.users.services import may_manage, who_may_change  # app.users imports app.auth: import here

    user = current_user._get_current_object()
    mail_form = SubmittedMailForm(data={"submitted_mail": user.submitted_mail})
    return render_template("auth/account.html", may_change_own=may_manage(user, user),
                           who_may_change=who_may_change(user), mail_form=mail_form,
                           reviews=user.role == Role.COMMUNITY_SAFETY_OFFICER.value)


@bp.route("/account/messages", methods=["POST"])
@signed_in
def submitted_mail() -> Response:
    """A CSO's choice: a message for each submitted return, or a daily digest."""
    user = current_user._get_current_object()
    form = SubmittedMailForm()
    if user.role != Role.COMMUNITY_SAFETY_OFFICER.value:
        abort(403)
    if form.validate_on_submit() and form.submitted_mail.data in ("each", "digest"):
        before = user.submitted_mail
        user.submitted_mail = form.submitted_mail.data
        record_event("user.mail_preference", object_type="user", object_id=user.id, actor=user,
                     summary="Chose " + ("a message for each submitted return" if user.submitted_mail == "each"
                                         else "a daily digest of submitted returns"),
                     before={"submitted_mail": before}, after={"submitted_mail": user.submitted_mail})
        db.session.commit()
        flash("Your choice has been saved.", "success")
    else:
        flash("Choose how you want to hear about submitted returns.")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@signed_in
def change_password_page() -> Response | str:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(user, form.current_password.data or "", form.new_password.data or "")
        except PasswordChangeProblem as problem:
            getattr(form, problem.field).errors = [problem.message]
        else:
            start_session(user)
            flash("Your password has been changed. You have been signed out on other devices.", "success")
            return redirect(safe_next_path(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgotten-password", methods=["GET", "POST"])
@public
def forgotten_password() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("auth.change_password"))
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        try:
            request_reset(form.email.data or "")
        except TooManyResetRequests:
            abort(429)
        return redirect(url_for("auth.reset_link_sent"))
    return render_template("auth/forgotten_password.html", form=form)


@bp.route("/forgotten-password/sent")
@public
def reset_link_sent() -> str:
    """The same page whether or not an account uses the address: it says nothing about who has one."""
    return render_template("auth/reset_link_sent.html", minutes=reset_minutes())


@bp.route("/reset-password/<reset_token>", methods=["GET", "POST"], endpoint="reset_password")
@public
def reset_password_page(reset_token: str) -> Response | tuple[str, int] | str:
    user = user_for_token(reset_token)
    if user is None:
        return render_template("auth/reset_link_unusable.html", minutes=reset_minutes()), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(user, form.new_password.data or "")
        except PasswordChangeProblem as problem:
            form.new_password.errors = [problem.message]
        else:
            if current_user.is_authenticated:
                end_session(current_user._get_current_object())
            flash("Your password has been changed. Sign in with your new password. You have been signed out "
                  "everywhere else.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/session/keep-alive", methods=["POST"])
@signed_in
def keep_alive() -> Response:
    """Called by the timeout warning's 'Stay signed in'; the request itself refreshes the session."""
    session.modified = True
    return jsonify({"idle_seconds": round(float(current_app.config["SESSION_IDLE_MINUTES"]) * 60)})


@bp.before_app_request
def require_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _ALLOWED_BEFORE_PASSWORD_CHANGE
    ):
        return redirect(url_for("auth.change_password", next=request.full_path.rstrip("?")))
    return None
